// The client matrix's scenarios (../shared/scenarios.mjs) with the official TypeScript MCP SDK v1 client
// (@modelcontextprotocol/sdk): OAuth from the 401, the 403 step-up, a tool error in ToolError mode, and connecting
// without signing in. The record goes to CLIENT_RECORD; the C# test (Clients/TypeScriptSdkV1ClientTests) judges it.
//
// Usage: MCP_URL=... MCP_URL_TOOL_ERROR=... [MCP_URL_PUBLIC=... PUBLIC_TOOL=...] [CLIENT_RECORD=record.json] node matrix-client.mjs
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runScenarios } from '../shared/scenarios.mjs';

const { version } = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url)));

await runScenarios({
  client: '@modelcontextprotocol/sdk',
  version,
  createSession(url, provider, fetchFn) {
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn });
    const client = new Client({ name: 'descope-mcp-client-matrix', version: '1.0.0' });
    return {
      connect: () => client.connect(transport),
      finishAuth: params => transport.finishAuth(params.get('code')),
      listTools: async () => (await client.listTools()).tools,
      callTool: (name, args) => client.callTool({ name, arguments: args }),
      close: () => client.close().catch(() => {}),
    };
  },
});
