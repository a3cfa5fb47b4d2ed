#!/usr/bin/env node
// The browser mcp-remote opens for OAuth: mcp-remote opens URLs with the `open` package, whose xdg-open (on Linux,
// without a desktop session or display) runs the program named by the BROWSER environment variable with the URL. This
// stand-in answers the development authority's authorize page as a person would (approve, or with
// STANDIN_BROWSER_DECISION=deny, deny) and then loads the page it is sent to: mcp-remote's own callback. Each visit is
// appended to STANDIN_BROWSER_LOG as one JSON line: the scopes asked for and the redirect's error, if any (no codes).
import { appendFileSync } from 'node:fs';
import { answerAuthorizePage } from '../shared/authorize-page.mjs';

/**
 * Loads the page the authority redirected to. mcp-remote opens the browser before its callback server listens (a person
 * takes seconds to approve; this stand-in, milliseconds), so a refused connection is tried again, for up to 10 s.
 */
async function load(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      if (attempt >= 100 || error?.cause?.code !== 'ECONNREFUSED') {
        throw error;
      }

      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}

const authorizationUrl = new URL(process.argv[2]);
const log = visit => process.env.STANDIN_BROWSER_LOG && appendFileSync(process.env.STANDIN_BROWSER_LOG, JSON.stringify(visit) + '\n');
let callback;
try {
  callback = await answerAuthorizePage(authorizationUrl, process.env.STANDIN_BROWSER_DECISION ?? 'approve');
} catch (error) {
  log({ scope: authorizationUrl.searchParams.get('scope'), failure: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

// Logged before the callback loads: mcp-remote may act on the callback (or exit, when denied) at once.
log({ scope: authorizationUrl.searchParams.get('scope'), error: callback.searchParams.get('error') });
await load(callback);
