#!/usr/bin/env node
// Plays an OAuth client and the person at the browser against the test authority's authorize page, in headless
// Chromium (Debian's package, driven by playwright-core): registers a public client, opens the authorize URL (PKCE S256,
// resource), picks a demo user, takes a screenshot, approves, receives the code on a loopback redirect URI, redeems it,
// and checks the access token. Exits 0 only when the token is the chosen user's and for the resource.
//
//   node authorize.mjs --well-known <discovery URL> --resource <MCP server URL> --user <subject> --screenshot <file.png>
//                      [--scope "<scopes>"] [--expect-scope "<scopes>"] [--client-name <name>] [--chromium <path>]
//
// Each option can also come from the environment: AUTHORITY_WELL_KNOWN_URL, MCP_RESOURCE, DEMO_USER, SCREENSHOT,
// SCOPE, EXPECT_SCOPE, CLIENT_NAME, CHROMIUM_PATH.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    'well-known': { type: 'string', default: process.env.AUTHORITY_WELL_KNOWN_URL },
    resource: { type: 'string', default: process.env.MCP_RESOURCE },
    user: { type: 'string', default: process.env.DEMO_USER },
    screenshot: { type: 'string', default: process.env.SCREENSHOT },
    scope: { type: 'string', default: process.env.SCOPE ?? '' },
    'expect-scope': { type: 'string', default: process.env.EXPECT_SCOPE },
    'client-name': { type: 'string', default: process.env.CLIENT_NAME ?? 'Browser test client' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60' },
  },
});

class Failure extends Error {}

const fail = (message) => {
  throw new Failure(message);
};

const base64url = (buffer) => Buffer.from(buffer).toString('base64url');
const scopeSet = (text) => [...new Set((text ?? '').split(' ').filter(Boolean))].sort();
const sameScopes = (a, b) => a.length === b.length && a.every((s, i) => s === b[i]);

async function json(response, what) {
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    fail(`${what} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    fail(`${what} answered ${response.status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
  }
  return body;
}

// The redirect URI: a loopback listener (RFC 8252) that takes the first callback and shows a short page.
function listenForCallback() {
  let deliver;
  const received = new Promise((resolve) => (deliver = resolve));
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Done</title><p>You can close this window.</p>');
    deliver(url.searchParams);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, received, redirectUri: `http://127.0.0.1:${server.address().port}/callback` }));
  });
}

// A scope box is usable exactly when the chosen user may be granted the scope (the page's script keeps it so).
async function checkAvailability(page, when) {
  const wrong = await page.locator('form').evaluate((form) => {
    const user = form.querySelector('input[name="user"]:checked');
    const grantable = new Set((user?.dataset.grantable ?? '').split(' '));
    return [...form.querySelectorAll('input[name="scope"]')].filter((box) => box.disabled === grantable.has(box.value)).map((box) => box.value);
  });
  if (wrong.length > 0) fail(`The page ${when} shows the availability of [${wrong.join(' ')}] wrongly for the chosen user.`);
}

async function main() {
  for (const name of ['well-known', 'resource', 'user', 'screenshot']) {
    if (!args[name]) fail(`--${name} is required (see the usage at the top of authorize.mjs).`);
  }

  // Loaded here so that a missing install is reported as such, with the fix.
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    fail('playwright-core is not installed: run test/browser/install.sh (npm ci in test/browser).');
  }

  const timeoutMs = Number(args.timeout) * 1000;
  const metadata = await json(await fetch(args['well-known']), 'The discovery document');
  const callback = await listenForCallback();
  let browser;
  try {
    const client = await json(
      await fetch(metadata.registration_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: args['client-name'],
          redirect_uris: [callback.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        }),
      }),
      'Dynamic client registration',
    );

    const verifier = base64url(randomBytes(32));
    const state = base64url(randomBytes(16));
    const authorize = new URL(metadata.authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: callback.redirectUri,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      state,
      resource: args.resource,
      ...(args.scope ? { scope: args.scope } : {}),
    }).toString();

    try {
      browser = await chromium.launch({ executablePath: args.chromium, headless: true });
    } catch (error) {
      fail(`Chromium did not start from ${args.chromium} (run test/browser/install.sh to install Debian's chromium): ${error.message.split('\n')[0]}`);
    }
    const page = await browser.newPage({ viewport: { width: 760, height: 820 } });
    page.setDefaultTimeout(timeoutMs);

    const opened = await page.goto(authorize.toString());
    if (opened?.status() !== 200) fail(`The authorize URL answered ${opened?.status()} instead of the page: ${(await opened?.text())?.slice(0, 300)}`);
    const heading = (await page.locator('h1').textContent())?.trim();
    if (heading !== `Authorize ${args['client-name']}`) fail(`The page's heading is "${heading}", expected "Authorize ${args['client-name']}".`);

    const choice = page.locator(`input[name="user"][value=${JSON.stringify(args.user)}]`);
    if ((await choice.count()) !== 1) {
      const offered = await page.locator('input[name="user"]').evaluateAll((inputs) => inputs.map((i) => i.value));
      fail(`The page does not offer the user ${args.user}; it offers: ${offered.join(', ') || 'none'}.`);
    }
    await checkAvailability(page, 'as first shown');
    await choice.check();
    await checkAvailability(page, `after picking ${args.user}`);

    const boxes = await page.locator('input[name="scope"]').evaluateAll((inputs) => inputs.map((i) => ({ value: i.value, checked: i.checked, disabled: i.disabled })));
    const approved = scopeSet(boxes.filter((b) => b.checked && !b.disabled).map((b) => b.value).join(' '));
    if (args['expect-scope'] !== undefined && !sameScopes(approved, scopeSet(args['expect-scope']))) {
      fail(`For ${args.user} the page offers [${approved.join(' ')}] as available and ticked, expected [${scopeSet(args['expect-scope']).join(' ')}].`);
    }

    mkdirSync(dirname(args.screenshot), { recursive: true });
    await page.screenshot({ path: args.screenshot, fullPage: true });

    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Failure(`No redirect reached ${callback.redirectUri} within ${args.timeout} s of pressing Approve.`)), timeoutMs));
    await page.getByRole('button', { name: 'Approve' }).click();
    const answer = await Promise.race([callback.received, timeout]);

    if (answer.get('error')) fail(`The authority answered ${answer.get('error')}: ${answer.get('error_description')}`);
    if (answer.get('state') !== state) fail('The redirect carries another state than the one sent.');
    if (answer.get('iss') !== null && answer.get('iss') !== metadata.issuer) fail(`The redirect's iss is ${answer.get('iss')}, expected ${metadata.issuer}.`);
    if (!answer.get('code')) fail('The redirect carries no code.');

    const tokens = await json(
      await fetch(metadata.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: answer.get('code'),
          redirect_uri: callback.redirectUri,
          code_verifier: verifier,
          client_id: client.client_id,
          resource: args.resource,
        }),
      }),
      'The token endpoint',
    );
    if (typeof tokens.access_token !== 'string') fail('The token response has no access_token.');

    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.sub !== args.user) fail(`The access token's sub is ${claims.sub}, expected ${args.user}.`);
    if (audiences.length !== 1 || audiences[0] !== args.resource) fail(`The access token's aud is ${JSON.stringify(claims.aud)}, expected ${args.resource}.`);
    const granted = scopeSet(claims.scope);
    const expected = approved.filter((s) => s !== 'openid' && s !== 'offline_access');
    if (!sameScopes(granted, expected)) fail(`The access token's scope is [${granted.join(' ')}], expected what was approved: [${expected.join(' ')}].`);

    console.log(`Authorized ${claims.sub} for ${args.resource} with scope "${granted.join(' ')}"; screenshot: ${args.screenshot}`);
  } finally {
    await browser?.close();
    callback.server.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`authorize.mjs: ${error instanceof Failure ? error.message : error.stack ?? error}`);
  process.exit(1);
}
