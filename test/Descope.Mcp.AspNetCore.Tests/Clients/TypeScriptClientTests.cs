using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// A client nobody here wrote: the official TypeScript MCP SDK (test/clients/typescript) against the running sample with
/// bearer tokens. The script checks the 401 without a token, tools/list and tools/call with the printed token, and the
/// 403 step-up challenge with a token that lacks <c>calendar.read</c>.
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class TypeScriptClientTests(ClientMatrixServers servers)
{
    private SampleServerProcess Sample => servers.Forbidden;

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_official_TypeScript_SDK_client_meets_the_401_the_tools_and_the_403_step_up_challenge()
    {
        var clientFolder = Path.Combine(RepositoryRoot.Path, "test", "clients", "typescript");
        Assert.True(
            Directory.Exists(Path.Combine(clientFolder, "node_modules", "@modelcontextprotocol", "sdk")),
            "The TypeScript MCP SDK is not installed: run test/clients/typescript/install.sh (build/test.sh and .ci/run do).");
        // A machine client's token: registered through the authority's own endpoints, without the demo user's scopes.
        var limitedToken = await ClientCredentialsToken.RequestAsync(Sample.AuthorityIssuer, "outbound.token.fetch", Sample.McpUrl);

        var (exitCode, output) = await NodeScript.RunAsync(clientFolder, ["mcp-client.mjs"], ScriptTimeout, new Dictionary<string, string>
        {
            ["MCP_URL"] = Sample.McpUrl.AbsoluteUri,
            ["MCP_FULL_TOKEN"] = Sample.Token,
            ["MCP_LIMITED_TOKEN"] = limitedToken,
        });

        Assert.True(exitCode == 0 && output.Contains("# all 12 checks passed", StringComparison.Ordinal), $"mcp-client.mjs exited with {exitCode}:\n{output}");
    }
}
