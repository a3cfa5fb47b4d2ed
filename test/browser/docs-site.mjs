#!/usr/bin/env node
// Opens one page of the documentation site (build/docs.sh, served from loopback) in headless Chromium (Debian's
// package, driven by playwright-core) with no network: every request to a host other than loopback is refused and
// recorded, and host names other than localhost resolve to nothing. Waits for the page's scripts (the navigation, and
// Mermaid diagrams turned into SVG), then writes what a reader sees as JSON to --report:
//   { status, title, h1, headings, mermaid: { blocks, svgs, nodes }, navbar, toc, affix, links, target,
//     blockedRequests, failedRequests, errors }
// `mermaid.nodes` are the texts of the diagrams' nodes; `navbar`, `toc` (the side table of contents) and `affix` ("In
// this article") the texts of their links, which the page's scripts write; `links` the article's links (text and
// absolute href); `target` the text of what the URL's fragment points at, null when nothing has that id. Exits 0 when the report was written, whatever the page showed; the caller judges it.
//
//   node docs-site.mjs --url <http://127.0.0.1:port/page.html[#id]> --report <file.json> [--chromium <path>]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    report: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60' },
  },
});

class Failure extends Error {}

const fail = (message) => {
  throw new Failure(message);
};

const loopback = (hostname) => hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';

async function main() {
  for (const name of ['url', 'report']) {
    if (!args[name]) fail(`--${name} is required (see the usage at the top of docs-site.mjs).`);
  }
  if (!loopback(new URL(args.url).hostname)) fail(`--url must be on loopback, not ${args.url}.`);

  // Loaded here so that a missing install is reported as such, with the fix.
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    fail('playwright-core is not installed: run test/browser/install.sh (npm ci in test/browser).');
  }

  const timeoutMs = Number(args.timeout) * 1000;
  let browser;
  try {
    try {
      browser = await chromium.launch({
        executablePath: args.chromium,
        headless: true,
        args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
      });
    } catch (error) {
      fail(`Chromium did not start from ${args.chromium} (run test/browser/install.sh to install Debian's chromium): ${error.message.split('\n')[0]}`);
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const blockedRequests = [];
    const failedRequests = [];
    const errors = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (loopback(url.hostname)) return route.continue();
      blockedRequests.push(url.href);
      return route.abort('blockedbyclient');
    });
    context.on('requestfailed', (request) => {
      if (!blockedRequests.includes(request.url())) failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`);
    });
    context.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
    });

    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
    });

    const response = await page.goto(args.url, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');

    // docfx's script replaces each ```mermaid block (code.lang-mermaid) by a pre.mermaid and renders an SVG in it.
    const blocks = await page.evaluate(() => document.querySelectorAll('code.lang-mermaid, pre.mermaid').length);
    if (blocks > 0) {
      await page
        .waitForFunction((count) => document.querySelectorAll('pre.mermaid svg').length >= count, blocks, { timeout: timeoutMs })
        .catch(() => errors.push(`only ${blocks} Mermaid block(s) waited for ${args.timeout} s without all becoming SVG`));
    }

    const seen = await page.evaluate(() => {
      const text = (element) => (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const article = document.querySelector('article');
      const fragment = decodeURIComponent(location.hash.slice(1));
      return {
        title: document.title.trim(),
        h1: text(article?.querySelector('h1')),
        headings: [...(article?.querySelectorAll('h2, h3') ?? [])].map(text),
        mermaid: {
          svgs: document.querySelectorAll('pre.mermaid svg').length,
          nodes: [...document.querySelectorAll('pre.mermaid svg g.node')].map(text),
        },
        navbar: [...document.querySelectorAll('#navbar a')].map(text).filter(Boolean),
        toc: [...document.querySelectorAll('#toc a')].map(text).filter(Boolean),
        affix: [...document.querySelectorAll('#affix a')].map(text).filter(Boolean),
        links: [...(article?.querySelectorAll('a[href]') ?? [])].map((a) => ({ text: text(a), href: a.href })),
        // docfx marks a member with an empty anchor just before its heading: the heading is what the reader sees.
        target: fragment && document.getElementById(fragment)
          ? text(document.getElementById(fragment)) || text(document.getElementById(fragment).nextElementSibling)
          : null,
      };
    });

    const report = { status: response?.status() ?? 0, ...seen, mermaid: { blocks, ...seen.mermaid }, blockedRequests, failedRequests, errors };
    mkdirSync(dirname(args.report), { recursive: true });
    writeFileSync(args.report, JSON.stringify(report, null, 2));
    console.log(`${args.url}: "${report.title}", ${report.mermaid.svgs}/${blocks} Mermaid SVG, ${blockedRequests.length} blocked, ${failedRequests.length} failed, ${errors.length} errors`);
  } finally {
    await browser?.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`docs-site.mjs: ${error instanceof Failure ? error.message : error.stack ?? error}`);
  process.exit(1);
}
