#!/usr/bin/env node
// Opens a page of the test authority in headless Chromium (Debian's package, driven by playwright-core) at a phone's
// width and reports, as one JSON line, its heading and how each scope name (".option .name") is laid out: the lines it
// takes and the pieces of its text (the runs between <wbr> break opportunities) that were split across lines, that is
// broken in the middle of a word. Exits 0 once it has reported; the caller judges the layout.
//
//   node wrapping.mjs --url <page URL> [--width 360] [--chromium <path>]
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    width: { type: 'string', default: '360' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});

async function main() {
  if (!args.url) throw new Error('--url is required.');
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('playwright-core is not installed: run test/browser/install.sh (npm ci in test/browser).');
  }

  const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: Number(args.width), height: 800 } });
    const response = await page.goto(args.url);
    const report = await page.evaluate(() => {
      const lineCount = (rects) => new Set([...rects].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
      const scopes = [...document.querySelectorAll('.option .name')].map((name) => {
        const range = document.createRange();
        range.selectNodeContents(name);
        const pieces = [...name.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
        const broken = pieces.filter((piece) => {
          const pieceRange = document.createRange();
          pieceRange.selectNodeContents(piece);
          return lineCount(pieceRange.getClientRects()) > 1;
        });
        return { text: name.textContent, lines: lineCount(range.getClientRects()), pieces: pieces.length, broken: broken.map((p) => p.textContent) };
      });
      return { heading: document.querySelector('h1')?.textContent ?? '', scopes };
    });
    console.log(JSON.stringify({ status: response?.status() ?? 0, ...report }));
  } finally {
    await browser.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`wrapping.mjs: ${error.message ?? error}`);
  process.exit(1);
}
