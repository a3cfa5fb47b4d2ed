// The client matrix's scenarios, run the same way for every in-process client (the TypeScript SDK v1 and v2 clients,
// @ai-sdk/mcp) through a small adapter per client. Each scenario records what the client did, without judging it: the
// C# test of each client (test/Descope.Mcp.AspNetCore.Tests/Clients) holds that client's expectations.
//
// Scenarios, against the calendar sample on its development authority:
// - signIn: the first request is answered 401; the client discovers the authority, registers, sends the user to the
//   authorize page (a stand-in browser approves) and, after the app hands it the code, connects and lists tools.
// - stepUp403: calling get_calendar_events without calendar.read is answered 403 insufficient_scope; the client either
//   sends the user to authorize the wider scope (the app then hands it the code and retries the call) or fails.
// - stepUpToolError: the same call on a server with Descope:ToolAuthorizationFailureMode=ToolError is a tool error
//   (isError); whether it carries _meta["mcp/www_authenticate"] and whether the client acts on it are recorded.
// - publicTools: a client that is not signed in connects to the sample with Descope:AnonymousAccess=PublicPrimitives
//   and HideUnauthorizedPrimitives=false (MCP_URL_PUBLIC); whether the server made it sign in first, or it could list
//   tools (with the securitySchemes it was given) and call PUBLIC_TOOL without a token, is recorded; then whether the
//   401 of a tool that needs a token makes it sign in.
// Tokens never reach the record or the output.
import { writeFileSync } from 'node:fs';
import { answerAuthorizePage } from './authorize-page.mjs';

export const redirectUrl = 'http://127.0.0.1:9/callback';

/**
 * An in-memory OAuth client provider, the interface the TypeScript SDK clients and @ai-sdk/mcp share. Sending the user
 * to the authorization URL opens it in the stand-in browser, which approves (or, with decline, records the request and
 * opens nothing); the redirect's query is kept for the app to hand to the client.
 */
export class StandInOAuthProvider {
  #client;
  #tokens;
  #verifier;
  #discovery;
  authorizations = [];
  callbacks = [];

  constructor({ decline = false, clientMetadata = {} } = {}) {
    this.decline = decline;
    this.extraMetadata = clientMetadata;
  }

  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return {
      client_name: 'descope-mcp-client-matrix',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      ...this.extraMetadata,
    };
  }

  clientInformation() { return this.#client; }
  saveClientInformation(info) { this.#client = info; }
  tokens() { return this.#tokens; }
  saveTokens(tokens) { this.#tokens = tokens; }
  saveCodeVerifier(verifier) { this.#verifier = verifier; }
  codeVerifier() { return this.#verifier; }
  discoveryState() { return this.#discovery; }
  saveDiscoveryState(state) { this.#discovery = state; }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this.#client = undefined;
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
  }

  async redirectToAuthorization(url) {
    this.authorizations.push({ scope: url.searchParams.get('scope') });
    if (!this.decline) {
      const redirect = await answerAuthorizePage(url);
      this.callbacks.push(redirect.searchParams);
    }
  }

  /** The scopes of the current access token, as the token endpoint answered. */
  get grantedScope() { return this.#tokens?.scope ?? null; }
  get hasRefreshToken() { return Boolean(this.#tokens?.refresh_token); }
  takeCallback() { return this.callbacks.shift(); }
}

/** Wraps fetch to count what the client asked the token endpoint, by grant type (the form's grant_type). */
export function countingFetch() {
  const grants = {};
  const fetchFn = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname.endsWith('/token') && init?.body) {
      const grant = new URLSearchParams(String(init.body)).get('grant_type') ?? 'unknown';
      grants[grant] = (grants[grant] ?? 0) + 1;
    }

    return fetch(input, init);
  };
  return { grants, fetchFn };
}

const textOf = result => (result?.content ?? []).filter(b => b.type === 'text').map(b => b.text).join('\n');
const messageOf = error => (error instanceof Error ? error.message : String(error)).slice(0, 300);

/**
 * Connects; when the client sent the user to authorize, hands it the code and connects again, as an app does after
 * the redirect. Returns the connected session.
 */
async function connectSignedIn(adapter, url, provider, fetchFn) {
  let session = adapter.createSession(url, provider, fetchFn);
  try {
    await session.connect();
    return session;
  } catch (error) {
    if (provider.callbacks.length === 0) {
      throw error;
    }
  }

  await session.finishAuth(provider.takeCallback());
  await session.close();
  session = adapter.createSession(url, provider, fetchFn);
  await session.connect();
  return session;
}

/** Calls a tool; when the client sent the user to authorize on the way, hands it the code and calls again. */
async function callAllowingReauthorization(session, provider, name, args) {
  const before = provider.authorizations.length;
  try {
    return { result: await session.callTool(name, args), reauthorized: false };
  } catch (error) {
    if (provider.authorizations.length === before || provider.callbacks.length === 0) {
      throw error;
    }
  }

  await session.finishAuth(provider.takeCallback());
  return { result: await session.callTool(name, args), reauthorized: true };
}

async function signInAndStepUp(adapter, url) {
  const provider = new StandInOAuthProvider(adapter.providerOptions);
  const { grants, fetchFn } = countingFetch();
  const signIn = { outcome: 'failed' };
  const stepUp403 = { outcome: 'not-run' };
  let session;
  try {
    session = await connectSignedIn(adapter, url, provider, fetchFn);
    const tools = (await session.listTools()).map(t => t.name).sort();
    const whoami = textOf(await session.callTool('whoami', {}));
    Object.assign(signIn, {
      outcome: 'signed-in',
      authorizations: provider.authorizations.length,
      requestedScope: provider.authorizations[0]?.scope ?? null,
      grantedScope: provider.grantedScope,
      refreshToken: provider.hasRefreshToken,
      tools,
      user: /^user: ([^\s;,]+)/.exec(whoami)?.[1] ?? null,
    });
  } catch (error) {
    signIn.detail = messageOf(error);
    await session?.close();
    return { signIn, stepUp403 };
  }

  const authorizationsBefore = provider.authorizations.length;
  const refreshesBefore = grants.refresh_token ?? 0;
  try {
    const { result, reauthorized } = await callAllowingReauthorization(session, provider, 'get_calendar_events', { max_results: 2 });
    Object.assign(stepUp403, result.isError
      ? { outcome: 'tool-error', detail: textOf(result).slice(0, 300) }
      : { outcome: reauthorized ? 'succeeded-after-reauthorization' : 'succeeded' });
  } catch (error) {
    Object.assign(stepUp403, { outcome: 'failed', detail: messageOf(error), status: error?.code ?? error?.statusCode ?? null });
  } finally {
    Object.assign(stepUp403, {
      authorizations: provider.authorizations.length - authorizationsBefore,
      requestedScope: provider.authorizations.at(-1)?.scope ?? null,
      refreshes: (grants.refresh_token ?? 0) - refreshesBefore,
      grantedScope: provider.grantedScope,
    });
    await session.close();
  }

  return { signIn, stepUp403 };
}

async function stepUpViaToolError(adapter, url) {
  const provider = new StandInOAuthProvider(adapter.providerOptions);
  const record = { outcome: 'failed' };
  let session;
  try {
    session = await connectSignedIn(adapter, url, provider, undefined);
    const before = provider.authorizations.length;
    const { result, reauthorized } = await callAllowingReauthorization(session, provider, 'get_calendar_events', { max_results: 2 });
    const challenges = result?._meta?.['mcp/www_authenticate'];
    Object.assign(record, {
      outcome: result.isError ? 'tool-error' : reauthorized ? 'succeeded-after-reauthorization' : 'succeeded',
      detail: result.isError ? textOf(result).slice(0, 300) : undefined,
      wwwAuthenticateMeta: Array.isArray(challenges) ? challenges : null,
      authorizations: provider.authorizations.length - before,
    });
  } catch (error) {
    record.detail = messageOf(error);
  } finally {
    await session?.close();
  }

  return record;
}

/** Per tool, the securitySchemes a client was given: in _meta (what the library emits) and on the tool itself. */
export function securitySchemesOf(tools) {
  const types = schemes => (Array.isArray(schemes) ? schemes.map(s => s?.type ?? null) : null);
  return Object.fromEntries(tools.map(t => [t.name, { meta: types(t._meta?.securitySchemes), tool: types(t.securitySchemes) }]));
}

async function publicTools(adapter, url, publicTool) {
  // The stand-in browser approves, so a client that sends the user to sign in is seen doing so (and when).
  const provider = new StandInOAuthProvider(adapter.providerOptions);
  const record = { outcome: 'failed' };
  const session = adapter.createSession(url, provider, undefined);
  try {
    await session.connect();
    const listed = await session.listTools();
    Object.assign(record, {
      outcome: 'listed-without-signing-in',
      tools: listed.map(t => t.name).sort(),
      securitySchemes: securitySchemesOf(listed),
    });
    if (publicTool) {
      const result = await session.callTool(publicTool, {});
      Object.assign(record, { outcome: result.isError ? 'public-tool-error' : 'public-tool-called', detail: textOf(result).slice(0, 300) });
    }
  } catch (error) {
    Object.assign(record, provider.authorizations.length > 0
      ? { outcome: 'sign-in-required', detail: messageOf(error) }
      : { outcome: 'failed', detail: messageOf(error) });
  }

  record.authorizationsRequested = provider.authorizations.length;
  if (record.outcome === 'public-tool-called') {
    // Then a tool that needs a token: the server answers 401; does the client sign in and (as the app retries) call it?
    const protectedCall = { tool: 'whoami', outcome: 'failed' };
    try {
      const { result, reauthorized } = await callAllowingReauthorization(session, provider, 'whoami', {});
      Object.assign(protectedCall, result.isError
        ? { outcome: 'tool-error', detail: textOf(result).slice(0, 300), wwwAuthenticateMeta: result._meta?.['mcp/www_authenticate'] ?? null }
        : { outcome: reauthorized ? 'succeeded-after-sign-in' : 'succeeded', user: /^user: ([^\s;,]+)/.exec(textOf(result))?.[1] ?? null });
    } catch (error) {
      protectedCall.detail = messageOf(error);
    } finally {
      protectedCall.authorizations = provider.authorizations.length - record.authorizationsRequested;
      protectedCall.requestedScope = provider.authorizations.at(-1)?.scope ?? null;
    }

    record.protectedCall = protectedCall;
  }

  await session.close();
  return record;
}

/**
 * Runs every scenario with the adapter: { client, version, providerOptions?, createSession(url, provider, fetchFn) },
 * where a session has connect(), finishAuth(callbackParams), listTools() (the tools array), callTool(name, args) and
 * close(). Environment: MCP_URL (a server answering 403), MCP_URL_TOOL_ERROR (the same in ToolError mode),
 * MCP_URL_PUBLIC (optional: a server with public primitives, for publicTools; MCP_URL otherwise), PUBLIC_TOOL
 * (optional), CLIENT_RECORD (where the JSON record goes).
 */
export async function runScenarios(adapter) {
  const { MCP_URL, MCP_URL_TOOL_ERROR, MCP_URL_PUBLIC, PUBLIC_TOOL, CLIENT_RECORD } = process.env;
  if (!MCP_URL || !MCP_URL_TOOL_ERROR) {
    console.error('usage: MCP_URL=... MCP_URL_TOOL_ERROR=... [MCP_URL_PUBLIC=... PUBLIC_TOOL=...] [CLIENT_RECORD=record.json] node <driver>.mjs');
    process.exit(2);
  }

  const deadline = setTimeout(() => {
    console.log('# the scenarios did not finish within 60 seconds');
    process.exit(1);
  }, 60_000);

  const scenarios = await signInAndStepUp(adapter, new URL(MCP_URL));
  scenarios.stepUpToolError = await stepUpViaToolError(adapter, new URL(MCP_URL_TOOL_ERROR));
  scenarios.publicTools = await publicTools(adapter, new URL(MCP_URL_PUBLIC ?? MCP_URL), PUBLIC_TOOL);
  clearTimeout(deadline);

  const record = { client: adapter.client, version: adapter.version, node: process.version, scenarios };
  for (const [name, scenario] of Object.entries(scenarios)) {
    console.log(`# ${name}: ${scenario.outcome}${scenario.detail ? ` (${scenario.detail})` : ''}`);
  }

  if (CLIENT_RECORD) {
    writeFileSync(CLIENT_RECORD, JSON.stringify(record, null, 2));
  }

  process.exit(0);
}
