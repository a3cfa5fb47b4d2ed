// The client matrix's scenarios (see ../shared/scenarios.mjs) with mcp-remote, the bridge Claude Desktop and other
// stdio-only hosts use to reach remote MCP servers: this script is the host. It starts mcp-remote as its own process
// (own callback port and token folder), speaks MCP to it over stdio, and gives it a stand-in browser (BROWSER, see
// standin-browser.mjs) that answers the authorize page. mcp-remote does OAuth and step-up itself, so the host sees only
// the answers: the browser's log shows when mcp-remote sent the user to authorize, and for which scopes. The record goes
// to CLIENT_RECORD; the C# test (Clients/McpRemoteClientTests) judges it. mcp-remote's own log is kept out of the
// output (it is not ours to vet for secrets); only its exit is reported. To read it while debugging, set
// MCP_REMOTE_STDERR to a file it is appended to.
//
// Usage: MCP_URL=... MCP_URL_TOOL_ERROR=... [MCP_URL_PUBLIC=... PUBLIC_TOOL=...] [CLIENT_RECORD=record.json] node matrix-client.mjs
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { securitySchemesOf } from '../shared/scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(path.join(here, 'node_modules/mcp-remote/package.json')));
const { MCP_URL, MCP_URL_TOOL_ERROR, MCP_URL_PUBLIC, PUBLIC_TOOL, CLIENT_RECORD } = process.env;
if (!MCP_URL || !MCP_URL_TOOL_ERROR) {
  console.error('usage: MCP_URL=... MCP_URL_TOOL_ERROR=... [MCP_URL_PUBLIC=... PUBLIC_TOOL=...] [CLIENT_RECORD=record.json] node matrix-client.mjs');
  process.exit(2);
}

const RequestTimeoutMs = 20_000;
const workFolder = mkdtempSync(path.join(tmpdir(), 'mcp-remote-matrix-'));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One mcp-remote process for one server, spoken to over stdio as an MCP host does. */
class Bridge {
  #nextId = 1;
  #pending = new Map();
  #buffer = '';

  static async start(serverUrl, name, decision = 'approve') {
    const folder = path.join(workFolder, name);
    const browserLog = path.join(folder, 'browser.jsonl');
    const env = { ...process.env };
    // xdg-open must find no desktop session or display, so it goes to BROWSER.
    for (const variable of ['DISPLAY', 'WAYLAND_DISPLAY', 'XDG_CURRENT_DESKTOP', 'DESKTOP_SESSION', 'KDE_FULL_SESSION', 'GNOME_DESKTOP_SESSION_ID']) {
      delete env[variable];
    }

    Object.assign(env, {
      BROWSER: path.join(here, 'standin-browser.mjs'),
      STANDIN_BROWSER_LOG: browserLog,
      STANDIN_BROWSER_DECISION: decision,
      MCP_REMOTE_CONFIG_DIR: path.join(folder, 'config'),
    });
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(here, 'node_modules/mcp-remote/dist/proxy.js'), serverUrl, String(port), '--host', '127.0.0.1'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Bridge(child, browserLog);
  }

  constructor(child, browserLog) {
    this.child = child;
    this.browserLog = browserLog;
    this.exit = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', chunk => this.#read(chunk));
    if (process.env.MCP_REMOTE_STDERR) {
      child.stderr.pipe(createWriteStream(process.env.MCP_REMOTE_STDERR, { flags: 'a' }));
    } else {
      child.stderr.resume();
    }
    child.on('exit', (code, signal) => {
      this.exit = signal ?? code;
      for (const { reject } of this.#pending.values()) {
        reject(new Error(`mcp-remote exited (${this.exit})`));
      }

      this.#pending.clear();
    });
  }

  #read(chunk) {
    this.#buffer += chunk;
    let newline;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (!line) continue;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }

      const pending = message.id !== undefined && this.#pending.get(message.id);
      if (pending) {
        this.#pending.delete(message.id);
        if (message.error) {
          pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
        } else {
          pending.resolve(message.result);
        }
      }
    }
  }

  request(method, params) {
    if (this.exit !== null) {
      return Promise.reject(new Error(`mcp-remote exited (${this.exit})`));
    }

    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to ${method} within ${RequestTimeoutMs / 1000} s`));
      }, RequestTimeoutMs);
      this.#pending.set(id, {
        resolve: value => { clearTimeout(timer); resolve(value); },
        reject: error => { clearTimeout(timer); reject(error); },
      });
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  notify(method, params) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  }

  async connect() {
    await this.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'descope-mcp-client-matrix', version: '1.0.0' },
    });
    this.notify('notifications/initialized', {});
  }

  async listTools() {
    return (await this.request('tools/list', {})).tools;
  }

  callTool(name, args) {
    return this.request('tools/call', { name, arguments: args });
  }

  /** The stand-in browser's visits so far: one per authorization mcp-remote started. */
  visits() {
    return existsSync(this.browserLog)
      ? readFileSync(this.browserLog, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line))
      : [];
  }

  async close() {
    if (this.exit === null) {
      const exited = new Promise(resolve => this.child.once('exit', resolve));
      this.child.stdin.end();
      this.child.kill();
      await exited;
    }
  }
}

const textOf = result => (result?.content ?? []).filter(b => b.type === 'text').map(b => b.text).join('\n');
const messageOf = error => (error instanceof Error ? error.message : String(error)).slice(0, 300);

async function signInAndStepUp() {
  const bridge = await Bridge.start(MCP_URL, 'forbidden');
  const signIn = { outcome: 'failed' };
  const stepUp403 = { outcome: 'not-run' };
  try {
    await bridge.connect();
    const tools = (await bridge.listTools()).map(t => t.name).sort();
    const whoami = textOf(await bridge.callTool('whoami', {}));
    const visits = bridge.visits();
    Object.assign(signIn, {
      outcome: 'signed-in',
      authorizations: visits.length,
      requestedScope: visits[0]?.scope ?? null,
      tools,
      user: /^user: ([^\s;,]+)/.exec(whoami)?.[1] ?? null,
    });
  } catch (error) {
    Object.assign(signIn, { detail: messageOf(error), authorizations: bridge.visits().length });
    await bridge.close();
    return { signIn, stepUp403 };
  }

  const before = bridge.visits().length;
  try {
    const result = await bridge.callTool('get_calendar_events', { max_results: 2 });
    const reauthorized = bridge.visits().length > before;
    Object.assign(stepUp403, result.isError
      ? { outcome: 'tool-error', detail: textOf(result).slice(0, 300) }
      : { outcome: reauthorized ? 'succeeded-after-reauthorization' : 'succeeded' });
  } catch (error) {
    Object.assign(stepUp403, { outcome: 'failed', detail: messageOf(error), status: error?.code ?? null });
  } finally {
    const visits = bridge.visits();
    Object.assign(stepUp403, { authorizations: visits.length - before, requestedScope: visits.at(-1)?.scope ?? null });
    await bridge.close();
  }

  return { signIn, stepUp403 };
}

async function stepUpViaToolError() {
  const bridge = await Bridge.start(MCP_URL_TOOL_ERROR, 'tool-error');
  const record = { outcome: 'failed' };
  try {
    await bridge.connect();
    const before = bridge.visits().length;
    const result = await bridge.callTool('get_calendar_events', { max_results: 2 });
    const challenges = result?._meta?.['mcp/www_authenticate'];
    const authorizations = bridge.visits().length - before;
    Object.assign(record, {
      outcome: result.isError ? 'tool-error' : authorizations > 0 ? 'succeeded-after-reauthorization' : 'succeeded',
      detail: result.isError ? textOf(result).slice(0, 300) : undefined,
      wwwAuthenticateMeta: Array.isArray(challenges) ? challenges : null,
      authorizations,
    });
  } catch (error) {
    record.detail = messageOf(error);
  } finally {
    await bridge.close();
  }

  return record;
}

async function publicTools() {
  // The stand-in browser approves: when mcp-remote sends the user to sign in shows in its log.
  const bridge = await Bridge.start(MCP_URL_PUBLIC ?? MCP_URL, 'public');
  const record = { outcome: 'failed' };
  try {
    await bridge.connect();
    const listed = await bridge.listTools();
    Object.assign(record, {
      outcome: bridge.visits().length > 0 ? 'listed-after-signing-in' : 'listed-without-signing-in',
      tools: listed.map(t => t.name).sort(),
      securitySchemes: securitySchemesOf(listed),
    });
    if (PUBLIC_TOOL && record.outcome === 'listed-without-signing-in') {
      const result = await bridge.callTool(PUBLIC_TOOL, {});
      Object.assign(record, { outcome: result.isError ? 'public-tool-error' : 'public-tool-called', detail: textOf(result).slice(0, 300) });
    }
  } catch (error) {
    Object.assign(record, { outcome: bridge.visits().length > 0 ? 'sign-in-required' : 'failed', detail: messageOf(error) });
  }

  record.authorizationsRequested = bridge.visits().length;
  if (record.outcome === 'public-tool-called') {
    // Then a tool that needs a token: the server answers 401; does mcp-remote sign in and call it?
    const protectedCall = { tool: 'whoami', outcome: 'failed' };
    try {
      const result = await bridge.callTool('whoami', {});
      const signedIn = bridge.visits().length > record.authorizationsRequested;
      Object.assign(protectedCall, result.isError
        ? { outcome: 'tool-error', detail: textOf(result).slice(0, 300), wwwAuthenticateMeta: result._meta?.['mcp/www_authenticate'] ?? null }
        : { outcome: signedIn ? 'succeeded-after-sign-in' : 'succeeded', user: /^user: ([^\s;,]+)/.exec(textOf(result))?.[1] ?? null });
    } catch (error) {
      protectedCall.detail = messageOf(error);
    } finally {
      const visits = bridge.visits();
      protectedCall.authorizations = visits.length - record.authorizationsRequested;
      protectedCall.requestedScope = visits.at(-1)?.scope ?? null;
    }

    record.protectedCall = protectedCall;
  }

  await bridge.close();
  return record;
}

const deadline = setTimeout(() => {
  console.log('# the scenarios did not finish within 90 seconds');
  process.exit(1);
}, 90_000);

try {
  const scenarios = await signInAndStepUp();
  scenarios.stepUpToolError = await stepUpViaToolError();
  scenarios.publicTools = await publicTools();
  clearTimeout(deadline);
  const record = { client: 'mcp-remote', version, node: process.version, scenarios };
  for (const [name, scenario] of Object.entries(scenarios)) {
    console.log(`# ${name}: ${scenario.outcome}${scenario.detail ? ` (${scenario.detail})` : ''}`);
  }

  if (CLIENT_RECORD) {
    writeFileSync(CLIENT_RECORD, JSON.stringify(record, null, 2));
  }
} finally {
  rmSync(workFolder, { recursive: true, force: true });
}

process.exit(0);
