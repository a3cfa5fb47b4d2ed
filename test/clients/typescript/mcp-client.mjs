// Drives the official TypeScript MCP SDK client against a running calendar sample with bearer tokens: the 401 without
// a token, tools/list and tools/call with a token that has every scope, and the 403 step-up challenge with a token that
// lacks calendar.read. Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero if any fails.
//
// Usage: node mcp-client.mjs <mcp-url> <full-token> <limited-token>
//    or: MCP_URL=... MCP_FULL_TOKEN=... MCP_LIMITED_TOKEN=... node mcp-client.mjs
// Environment variables keep the tokens out of process listings; the tokens are never printed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';

const [mcpUrlArg, fullTokenArg, limitedTokenArg] = process.argv.slice(2);
const mcpUrlText = mcpUrlArg ?? process.env.MCP_URL;
const fullToken = fullTokenArg ?? process.env.MCP_FULL_TOKEN;
const limitedToken = limitedTokenArg ?? process.env.MCP_LIMITED_TOKEN;
if (!mcpUrlText || !fullToken || !limitedToken) {
  console.error('usage: node mcp-client.mjs <mcp-url> <full-token> <limited-token> (or MCP_URL, MCP_FULL_TOKEN, MCP_LIMITED_TOKEN)');
  process.exit(2);
}

const mcpUrl = new URL(mcpUrlText);
// RFC 9728: the metadata of a resource with a path sits under the well-known prefix, followed by that path.
const metadataUrl = `${mcpUrl.origin}/.well-known/oauth-protected-resource${mcpUrl.pathname}`;
// Every scope the tool needs: the server-wide outbound.token.fetch and the tool's calendar.read.
const stepUpChallenge = `Bearer error="insufficient_scope", scope="outbound.token.fetch calendar.read", resource_metadata="${metadataUrl}"`;

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

/** Wraps fetch to remember the last POST response the SDK saw, so its challenge header can be read as sent. */
function recordingFetch() {
  const seen = { status: undefined, wwwAuthenticate: null, response: undefined };
  const fetchFn = async (url, init) => {
    const response = await fetch(url, init);
    if ((init?.method ?? 'GET').toUpperCase() === 'POST') {
      seen.status = response.status;
      seen.wwwAuthenticate = response.headers.get('www-authenticate');
      seen.response = response;
    }

    return response;
  };
  return { seen, fetchFn };
}

/** An official SDK client whose transport sends the bearer token on every request (none when token is null). */
function createClient(token, fetchFn) {
  const headers = token === null ? {} : { Authorization: `Bearer ${token}` };
  const transport = new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers }, fetch: fetchFn });
  const client = new Client({ name: 'descope-mcp-typescript-check', version: '1.0.0' });
  return { client, transport };
}

function textOf(result) {
  return (result?.content ?? []).filter(block => block.type === 'text').map(block => block.text).join('\n');
}

async function toolNames(client) {
  const { tools } = await client.listTools();
  return tools.map(tool => tool.name);
}

async function withoutToken() {
  const { seen, fetchFn } = recordingFetch();
  const { client, transport } = createClient(null, fetchFn);
  let connectError;
  try {
    await client.connect(transport);
  } catch (error) {
    connectError = error;
  } finally {
    await client.close().catch(() => {});
  }

  await check('without a token the SDK client fails to connect with HTTP 401', () =>
    connectError?.code === 401 || `connect ${connectError ? `failed with ${connectError.code ?? connectError.message}` : 'succeeded'}`);
  await check('the 401 challenge is a bare Bearer challenge (no error=)', () =>
    (seen.wwwAuthenticate?.startsWith('Bearer ') && !/\berror=/.test(seen.wwwAuthenticate)) || `WWW-Authenticate: ${seen.wwwAuthenticate}`);
  await check('the SDK reads resource_metadata from the 401 challenge', () => {
    const { resourceMetadataUrl } = seen.response ? extractWWWAuthenticateParams(seen.response) : {};
    return resourceMetadataUrl?.href === metadataUrl || `expected ${metadataUrl}, got ${resourceMetadataUrl?.href}`;
  });
  await check('the protected resource metadata names this MCP endpoint and an authorization server', async () => {
    const response = await fetch(metadataUrl);
    const metadata = response.ok ? await response.json() : {};
    return (metadata.resource === mcpUrl.href && metadata.authorization_servers?.length > 0)
      || `HTTP ${response.status}, resource ${metadata.resource}`;
  });
}

async function withFullToken() {
  const { client, transport } = createClient(fullToken, undefined);
  try {
    await check('with the printed token the SDK client connects', () => client.connect(transport));
    await check('tools/list includes whoami and get_calendar_events', async () => {
      const names = await toolNames(client);
      return (names.includes('whoami') && names.includes('get_calendar_events')) || `tools: ${names.join(', ')}`;
    });
    await check('tools/call whoami answers for the demo user', async () => {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const text = textOf(result);
      return (!result.isError && text.startsWith('user: U2DemoUser')) || `isError ${result.isError}, text starts "${text.slice(0, 40)}"`;
    });
    await check('tools/call get_calendar_events {max_results: 2} succeeds', async () => {
      const result = await client.callTool({ name: 'get_calendar_events', arguments: { max_results: 2 } });
      return !result.isError || `isError: ${textOf(result).slice(0, 200)}`;
    });
  } finally {
    await client.close().catch(() => {});
  }
}

async function withLimitedToken() {
  const { seen, fetchFn } = recordingFetch();
  const { client, transport } = createClient(limitedToken, fetchFn);
  try {
    await check('with a token lacking calendar.read the SDK client connects', () => client.connect(transport));
    await check('tools/list without calendar.read leaves out get_calendar_events', async () => {
      const names = await toolNames(client);
      return (names.includes('whoami') && !names.includes('get_calendar_events')) || `tools: ${names.join(', ')}`;
    });

    let callError;
    try {
      const result = await client.callTool({ name: 'get_calendar_events', arguments: { max_results: 2 } });
      callError = { message: `the call returned a result (isError ${result.isError})` };
    } catch (error) {
      callError = error;
    }

    await check('tools/call get_calendar_events without calendar.read fails with HTTP 403', () =>
      callError.code === 403 || `${callError.code ?? ''} ${callError.message}`.trim());
    await check('the 403 challenge asks for calendar.read and points at the metadata', () =>
      seen.wwwAuthenticate === stepUpChallenge || `HTTP ${seen.status}, WWW-Authenticate: ${seen.wwwAuthenticate}`);
  } finally {
    await client.close().catch(() => {});
  }
}

const deadline = setTimeout(() => {
  console.log('not ok - the checks did not finish within 60 seconds');
  process.exit(1);
}, 60_000);

await withoutToken();
await withFullToken();
await withLimitedToken();
clearTimeout(deadline);

console.log(failures === 0 ? `# all ${checks} checks passed` : `# ${failures} of ${checks} checks failed`);
process.exit(failures === 0 ? 0 : 1);
