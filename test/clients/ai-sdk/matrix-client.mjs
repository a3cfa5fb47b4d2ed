// The client matrix's scenarios (../shared/scenarios.mjs) with Vercel's AI SDK MCP client (@ai-sdk/mcp): OAuth from the
// 401, the 403 step-up, a tool error in ToolError mode, and connecting without signing in. The record goes to
// CLIENT_RECORD; the C# test (Clients/AiSdkClientTests) judges it.
//
// The package declares Node 22 or later; it runs here on Node 20 (what the tests check is what it does there).
//
// Usage: MCP_URL=... MCP_URL_TOOL_ERROR=... [MCP_URL_PUBLIC=... PUBLIC_TOOL=...] [CLIENT_RECORD=record.json] node matrix-client.mjs
import { readFileSync } from 'node:fs';
import { auth, createMCPClient } from '@ai-sdk/mcp';
import { runScenarios } from '../shared/scenarios.mjs';

const { version } = JSON.parse(readFileSync(new URL('./node_modules/@ai-sdk/mcp/package.json', import.meta.url)));

await runScenarios({
  client: '@ai-sdk/mcp',
  version,
  createSession(url, provider, fetchFn) {
    let client;
    return {
      connect: async () => {
        client = await createMCPClient({ transport: { type: 'http', url: url.href, authProvider: provider, fetch: fetchFn } });
      },
      finishAuth: params => auth(provider, { serverUrl: url, authorizationCode: params.get('code'), callbackIssuer: params.get('iss') ?? undefined, fetchFn }),
      listTools: async () => (await client.listTools()).tools,
      callTool: (name, args) => client.callTool({ name, arguments: args }),
      close: () => client?.close().catch(() => {}),
    };
  },
});
