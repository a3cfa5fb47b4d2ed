// Drives the official TypeScript MCP client (@modelcontextprotocol/client) with DPoP against a running calendar sample
// on its embedded development authority: the OAuth flow from the 401 (dynamic registration, PKCE, the authorize page
// answered as a browser would, a DPoP-bound token with the authority's use_dpop_nonce retry), tools/call, the 403
// step-up on a tool that needs another scope, re-authorization and the retried call. Prints one line per check
// ("ok - ..." / "not ok - ...") and exits non-zero if any fails.
//
// Every request the client sends goes through a recording fetch, below the SDK's DPoP layer, so what went over the wire
// can be checked by the caller: with DPOP_RECORD set, the script writes there, as JSON, for each request its method,
// URL, Authorization scheme, whether a DPoP proof was sent and the proof's decoded header and claims, and the answer's
// status, challenge and token_type. Neither tokens nor proofs are written or printed: only token hashes, the claims
// of proofs and the public key they carry.
//
// Usage: MCP_URL=http://127.0.0.1:5080/mcp [DPOP_RECORD=/tmp/record.json] node mcp-dpop-client.mjs
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Client, DpopSession, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { answerAuthorizePage } from '../shared/authorize-page.mjs';

const mcpUrlText = process.argv[2] ?? process.env.MCP_URL;
if (!mcpUrlText) {
  console.error('usage: node mcp-dpop-client.mjs <mcp-url> (or MCP_URL)');
  process.exit(2);
}

const mcpUrl = new URL(mcpUrlText);
const redirectUrl = 'http://127.0.0.1:9/callback';
let failures = 0;
let checks = 0;

function report(passed, description, detail) {
  checks++;
  if (!passed) {
    failures++;
  }

  console.log(`${passed ? 'ok' : 'not ok'} - ${description}${!passed && detail ? ` (${detail})` : ''}`);
}

/** Runs one check; a thrown error fails it with the error's message (the SDK's messages carry no request headers). */
async function check(description, body) {
  try {
    const outcome = await body();
    report(outcome === true || outcome === undefined, description, typeof outcome === 'string' ? outcome : undefined);
  } catch (error) {
    report(false, description, error instanceof Error ? error.message : String(error));
  }
}

const sha256 = text => createHash('sha256').update(text).digest('base64url');
const decodeSegment = segment => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

/** The fetch under the SDK's DPoP layer: sees every request as sent and every answer as received. */
const record = [];
async function recordingFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const authorization = headers.get('authorization');
  const proof = headers.get('dpop');
  const entry = {
    method: (init?.method ?? 'GET').toUpperCase(),
    url: `${url.origin}${url.pathname}`,
    scheme: authorization ? authorization.split(' ', 1)[0] : null,
    accessTokenHash: authorization ? sha256(authorization.slice(authorization.indexOf(' ') + 1)) : null,
    accessTokenCnfJkt: null,
    proofHeader: null,
    proofClaims: null,
  };
  if (authorization) {
    try {
      entry.accessTokenCnfJkt = decodeSegment(authorization.slice(authorization.indexOf(' ') + 1).split('.')[1]).cnf?.jkt ?? null;
    } catch {
      entry.accessTokenCnfJkt = null;
    }
  }

  if (proof) {
    const [header, claims] = proof.split('.');
    // The public key is kept for the caller to compute its thumbprint; a private member would be a client bug.
    const { jwk, ...rest } = decodeSegment(header);
    const { d, ...publicJwk } = jwk ?? {};
    entry.proofHeader = { ...rest, jwk: jwk ? publicJwk : null, hasPrivateKey: d !== undefined };
    entry.proofClaims = decodeSegment(claims);
  }

  const response = await fetch(input, init);
  entry.status = response.status;
  entry.wwwAuthenticate = response.headers.get('www-authenticate');
  entry.dpopNonceSent = response.headers.has('dpop-nonce');
  if (url.pathname.endsWith('/token')) {
    const body = await response.clone().json().catch(() => ({}));
    entry.tokenType = body.token_type ?? null;
    entry.error = body.error ?? null;
    entry.issuedTokenCnfJkt = body.access_token ? decodeSegment(body.access_token.split('.')[1]).cnf?.jkt ?? null : null;
  }

  record.push(entry);
  return response;
}

/** An in-memory OAuth client provider with a DPoP key; the authorize page is answered by the stand-in browser. */
class DpopOAuthProvider {
  #client;
  #tokens;
  #verifier;
  #discovery;
  callbacks = [];

  constructor(session) {
    this.session = session;
  }

  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return { client_name: 'descope-mcp-typescript-dpop-check', redirect_uris: [redirectUrl], token_endpoint_auth_method: 'none' };
  }

  clientInformation() { return this.#client; }
  saveClientInformation(info) { this.#client = info; }
  tokens() { return this.#tokens; }
  saveTokens(tokens) { this.#tokens = tokens; }
  saveCodeVerifier(verifier) { this.#verifier = verifier; }
  codeVerifier() { return this.#verifier; }
  discoveryState() { return this.#discovery; }
  saveDiscoveryState(state) { this.#discovery = state; }
  dpop() { return this.session; }
  async redirectToAuthorization(url) {
    this.callbacks.push((await answerAuthorizePage(url)).searchParams);
  }
}

function textOf(result) {
  return (result?.content ?? []).filter(block => block.type === 'text').map(block => block.text).join('\n');
}

const deadline = setTimeout(() => {
  console.log('not ok - the checks did not finish within 60 seconds');
  process.exit(1);
}, 60_000);

const session = await DpopSession.create({ alg: 'ES256' });
const provider = new DpopOAuthProvider(session);
const newTransport = () => new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: recordingFetch });
let transport = newTransport();
let client = new Client({ name: 'descope-mcp-typescript-dpop-check', version: '1.0.0' });

let firstConnect;
try {
  await client.connect(transport);
} catch (error) {
  firstConnect = error;
}

await check('the first connect meets the 401 and sends the user to the authorize page', () =>
  (firstConnect instanceof UnauthorizedError && provider.callbacks.length === 1) || `connect: ${firstConnect?.message ?? 'succeeded'}`);
await check('the redirect brings a code and the authority as iss', () =>
  (provider.callbacks[0]?.has('code') && provider.callbacks[0]?.has('iss')) || 'no code');
await check('the code is redeemed for a DPoP-bound token', async () => {
  if (provider.callbacks.length !== 1) {
    return 'no authorization took place';
  }

  await transport.finishAuth(provider.callbacks[0]);
  const tokens = provider.tokens();
  return (tokens?.token_type?.toLowerCase() === 'dpop') || `token_type ${tokens?.token_type}`;
});

await client.close().catch(() => {});
transport = newTransport();
client = new Client({ name: 'descope-mcp-typescript-dpop-check', version: '1.0.0' });
await check('with the DPoP-bound token the client connects', () => client.connect(transport));
await check('tools/call whoami answers for the demo user', async () => {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  const text = textOf(result);
  return (!result.isError && text.startsWith('user: U2DemoUser')) || `isError ${result.isError}, text starts "${text.slice(0, 40)}"`;
});

let stepUp;
try {
  const result = await client.callTool({ name: 'get_calendar_events', arguments: { max_results: 2 } });
  stepUp = { message: `the call returned a result (isError ${result.isError})` };
} catch (error) {
  stepUp = error;
}

await check('tools/call get_calendar_events without calendar.read starts a step-up authorization', () =>
  (stepUp instanceof UnauthorizedError && provider.callbacks.length === 2) || `${stepUp?.code ?? ''} ${stepUp?.message}`.trim());
await check('the step-up code is redeemed for a DPoP-bound token with calendar.read', async () => {
  if (provider.callbacks.length !== 2) {
    return 'no step-up authorization took place';
  }

  await transport.finishAuth(provider.callbacks[1]);
  const tokens = provider.tokens();
  return (tokens?.token_type?.toLowerCase() === 'dpop' && tokens.scope?.split(' ').includes('calendar.read'))
    || `token_type ${tokens?.token_type}, scope ${tokens?.scope}`;
});
await check('the retried tools/call get_calendar_events succeeds', async () => {
  const result = await client.callTool({ name: 'get_calendar_events', arguments: { max_results: 2 } });
  return !result.isError || `isError: ${textOf(result).slice(0, 200)}`;
});
await client.close().catch(() => {});
clearTimeout(deadline);

if (process.env.DPOP_RECORD) {
  writeFileSync(process.env.DPOP_RECORD, JSON.stringify({ thumbprint: session.thumbprint, requests: record }, null, 2));
}

console.log(failures === 0 ? `# all ${checks} checks passed` : `# ${failures} of ${checks} checks failed`);
process.exit(failures === 0 ? 0 : 1);
