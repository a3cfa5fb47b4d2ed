using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// What one client did in the matrix's scenarios (test/clients/shared/scenarios.mjs): its script's record, read back.
/// The script records and never judges; each client's test states what that client is expected to do.
/// </summary>
internal sealed class ClientMatrixRecord
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private ClientMatrixRecord(JsonNode record, string output)
    {
        Json = record;
        Output = output;
    }

    public JsonNode Json { get; }

    /// <summary>The script's output, for failure messages: one line per scenario with its outcome.</summary>
    public string Output { get; }

    public string? Version => (string?)Json["version"];

    /// <summary>
    /// Runs test/clients/<paramref name="folder"/>/matrix-client.mjs against the three samples. Fails, never skips, when the
    /// client's npm packages are not installed.
    /// </summary>
    public static async Task<ClientMatrixRecord> RunAsync(string folder, string package, ClientMatrixServers servers)
    {
        var clientFolder = Path.Combine(RepositoryRoot.Path, "test", "clients", folder);
        Assert.True(
            File.Exists(Path.Combine(clientFolder, "node_modules", package, "package.json")),
            $"{package} is not installed: run test/clients/{folder}/install.sh (build/test.sh and .ci/run do).");
        var recordFile = Path.Combine(Path.GetTempPath(), $"client-matrix-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await NodeScript.RunAsync(clientFolder, ["matrix-client.mjs"], ScriptTimeout, new Dictionary<string, string>
            {
                ["MCP_URL"] = servers.Forbidden.McpUrl.AbsoluteUri,
                ["MCP_URL_TOOL_ERROR"] = servers.ToolError.McpUrl.AbsoluteUri,
                ["MCP_URL_PUBLIC"] = servers.Public.McpUrl.AbsoluteUri,
                ["PUBLIC_TOOL"] = ClientMatrixServers.PublicTool,
                ["CLIENT_RECORD"] = recordFile,
            });

            Assert.True(exitCode == 0 && File.Exists(recordFile), $"{folder}/matrix-client.mjs exited with {exitCode}:\n{output}");
            var text = await File.ReadAllTextAsync(recordFile);
            Assert.DoesNotMatch(@"eyJ[\w-]+\.[\w-]+\.", text + output);
            return new ClientMatrixRecord(JsonNode.Parse(text)!, output);
        }
        finally
        {
            File.Delete(recordFile);
        }
    }

    public JsonNode Scenario(string name) => Json["scenarios"]![name]!;

    public string? Outcome(string scenario) => (string?)Scenario(scenario)["outcome"];

    /// <summary>Asserts a scenario's outcome, showing every scenario's line when it differs.</summary>
    public void AssertOutcome(string scenario, string expected) =>
        Assert.True(Outcome(scenario) == expected, $"{scenario}: expected {expected}, got {Outcome(scenario)}.\n{Output}");

    /// <summary>
    /// Sign-in as every OAuth client does it against the sample: one authorization as the demo user for the scopes the
    /// 401 named, then the tools that token may use.
    /// </summary>
    public void AssertSignedIn(string requestedScope)
    {
        AssertOutcome("signIn", "signed-in");
        var signIn = Scenario("signIn");
        Assert.Equal(1, (int?)signIn["authorizations"]);
        Assert.Equal(requestedScope, (string?)signIn["requestedScope"]);
        Assert.Equal("U2DemoUser", (string?)signIn["user"]);
        Assert.Equal("""["about_calendar_server","get_my_team","whoami"]""", signIn["tools"]!.ToJsonString());
    }

    /// <summary>The 403 step-up completed: one more authorization, for every scope the tool needs, and the call retried.</summary>
    public void AssertSteppedUpOn403(string requestedScope)
    {
        AssertOutcome("stepUp403", "succeeded-after-reauthorization");
        var stepUp = Scenario("stepUp403");
        Assert.Equal(1, (int?)stepUp["authorizations"]);
        Assert.Equal(requestedScope, (string?)stepUp["requestedScope"]);
    }

    /// <summary>
    /// In ToolError mode the refused call reaches the app as a tool error and the client starts no authorization. The
    /// record keeps whether the error carried <c>_meta["mcp/www_authenticate"]</c>; no client here reads it.
    /// </summary>
    public void AssertToolErrorLeftToTheApp()
    {
        AssertOutcome("stepUpToolError", "tool-error");
        var toolError = Scenario("stepUpToolError");
        Assert.Equal(0, (int?)toolError["authorizations"]);
        Assert.Contains("insufficient_scope", (string?)toolError["detail"], StringComparison.Ordinal);
    }

    /// <summary>
    /// Connecting without signing in to the sample with public primitives: the client connects and lists every tool
    /// without a token, passing each tool's <c>_meta.securitySchemes</c> to the app (<c>noauth</c> and <c>oauth2</c> for
    /// the public tool, <c>oauth2</c> for the others), and calls the public tool; then the 401 of <c>whoami</c> makes it
    /// send the user to sign in, once, for <paramref name="requestedScope"/>, and the call succeeds as the demo user.
    /// </summary>
    public void AssertPublicToolCalledThenSignedInOn401(string requestedScope)
    {
        AssertOutcome("publicTools", "public-tool-called");
        var publicTools = Scenario("publicTools");
        Assert.Equal(0, (int?)publicTools["authorizationsRequested"]);
        Assert.Equal("""["about_calendar_server","get_calendar_events","get_my_team","whoami"]""", publicTools["tools"]!.ToJsonString());
        var schemes = publicTools["securitySchemes"]!;
        Assert.Equal("""["noauth","oauth2"]""", schemes[ClientMatrixServers.PublicTool]!["meta"]!.ToJsonString());
        Assert.All(["get_calendar_events", "get_my_team", "whoami"], tool => Assert.Equal("""["oauth2"]""", schemes[tool]!["meta"]!.ToJsonString()));
        Assert.StartsWith("Calendar MCP server:", (string?)publicTools["detail"], StringComparison.Ordinal);

        var protectedCall = publicTools["protectedCall"]!;
        Assert.True((string?)protectedCall["outcome"] == "succeeded-after-sign-in", $"protectedCall: {protectedCall.ToJsonString()}\n{Output}");
        Assert.Equal(1, (int?)protectedCall["authorizations"]);
        Assert.Equal(requestedScope, (string?)protectedCall["requestedScope"]);
        Assert.Equal("U2DemoUser", (string?)protectedCall["user"]);
    }
}
