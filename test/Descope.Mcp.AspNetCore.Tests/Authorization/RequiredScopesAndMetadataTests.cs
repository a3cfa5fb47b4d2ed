using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

[McpServerToolType]
public sealed class OfflineTools
{
    [McpServerTool(Name = "sync"), RequireScopes("offline_access", "sync.run")]
    public static string Sync() => "synced";
}

/// <summary>The server-wide RequiredScopes option, and the scopes advertised in metadata and 401 challenges.</summary>
public sealed class RequiredScopesAndMetadataTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(m => m.WithTools<CalendarTools>().WithTools<AdminTools>().WithTools<OfflineTools>().WithPrompts<CalendarPrompts>(), configure);

    private static async Task<string[]> ScopesSupportedAsync(ProtectedMcpServer server)
    {
        var document = JsonNode.Parse(await server.Http.GetStringAsync("/.well-known/oauth-protected-resource/mcp"))!;
        return [.. document["scopes_supported"]!.AsArray().Select(s => (string)s!)];
    }

    [Fact]
    public async Task Scopes_supported_defaults_to_the_required_scopes_then_those_the_attributes_use_never_offline_access()
    {
        var server = await StartAsync(o => o.RequiredScopes.Add("mcp.access"));

        // public_info's "never.granted" is not listed: [AllowAnonymous] makes the tool open.
        Assert.Equal(["mcp.access", "admin", "admin.purge", "calendar.read", "calendar.write", "sync.run"], await ScopesSupportedAsync(server));
    }

    [Fact]
    public async Task Configured_scopes_supported_replace_the_default()
    {
        var server = await StartAsync(o => { o.ScopesSupported.Add("calendar.read"); o.ScopesSupported.Add("mail.send"); });

        Assert.Equal(["calendar.read", "mail.send"], await ScopesSupportedAsync(server));
    }

    [Fact]
    public async Task The_401_challenge_names_the_required_scopes()
    {
        var server = await StartAsync(o => { o.RequiredScopes.Add("mcp.access"); o.RequiredScopes.Add("profile"); });

        using var response = await server.Http.SendAsync(server.McpRequest(token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP($"Bearer scope=\"mcp.access profile\", resource_metadata=\"{MetadataUrl(server)}\"", MetadataUrl(server), "mcp.access profile"),
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Without_required_scopes_the_401_challenge_names_the_supported_scopes()
    {
        var server = await StartAsync();

        using var response = await server.Http.SendAsync(server.McpRequest(token: null));

        Assert.Equal(
            Challenges.WithDPoP(
                $"Bearer scope=\"admin admin.purge calendar.read calendar.write sync.run\", resource_metadata=\"{MetadataUrl(server)}\"",
                MetadataUrl(server),
                "admin admin.purge calendar.read calendar.write sync.run"),
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Any_MCP_request_without_the_required_scopes_gets_403_insufficient_scope()
    {
        var server = await StartAsync(o => o.RequiredScopes.Add("mcp.access"));

        using var response = await server.Http.SendAsync(server.McpRequest(Authority.CreateToken(t => t.Scopes.Add("calendar.read"))));

        AssertStepUpChallenge(response, server, "mcp.access");
    }

    [Fact]
    public async Task A_tool_call_challenge_names_the_required_scopes_and_the_tool_scopes()
    {
        var server = await StartAsync(o => o.RequiredScopes.Add("mcp.access"));

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, Authority.CreateToken(t => t.Scopes.Add("mcp.access")), "create_event"));

        AssertStepUpChallenge(response, server, "mcp.access calendar.read calendar.write");
    }

    [Fact]
    public async Task With_the_required_scopes_MCP_requests_are_served()
    {
        var server = await StartAsync(o => o.RequiredScopes.Add("mcp.access"));
        await using var client = await server.ConnectAsync(Authority.CreateToken(t => t.Scopes.Add("mcp.access")));

        Assert.Contains("ping", (await client.ListToolsAsync()).Select(t => t.Name));
    }

    [Theory]
    [InlineData("offline_access", "Descope:RequiredScopes must not contain offline_access")]
    [InlineData("two words", "Descope:RequiredScopes contains 'two words', which is not a valid OAuth scope")]
    public async Task Startup_fails_on_required_scopes_that_cannot_be_used_naming_the_key(string scope, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(o => o.RequiredScopes.Add(scope)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1L << 40)]
    public async Task Startup_fails_on_an_unusable_tool_call_body_limit(long limit)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(o => o.MaxToolCallBodySize = limit));

        Assert.Contains("Descope:MaxToolCallBodySize must be between 1024 and 268435456", error.Message, StringComparison.Ordinal);
    }
}
