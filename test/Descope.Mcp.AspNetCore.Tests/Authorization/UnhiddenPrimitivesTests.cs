using System.Net;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

/// <summary>
/// <see cref="DescopeMcpOptions.HideUnauthorizedPrimitives"/> off: lists show every tool, prompt and resource (tools with
/// their securitySchemes), so a client that only calls what it sees reaches the step-up; using one the caller may not use
/// is still refused before it runs. Through the MCP SDK's client on both protocol generations.
/// </summary>
public sealed class UnhiddenPrimitivesTests : McpServerTests
{
    private static readonly string[] AllTools =
        ["approve_invoice", "audit", "create_event", "export_events", "list_events", "manage_tenant", "ping", "public_info", "purge"];

    private Task<ProtectedMcpServer> StartAsync(Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(
            m => m.WithTools<CalendarTools>().WithTools<AdminTools>().WithTools<TenantTools>()
                .WithPrompts<CalendarPrompts>().WithResources<CalendarResources>().WithResources<RecordingResources>(),
            o =>
            {
                o.HideUnauthorizedPrimitives = false;
                configure?.Invoke(o);
            });

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task A_caller_sees_every_primitive_and_each_tool_its_security_schemes(string protocol)
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(TokenFor(server), protocol);

        var tools = await client.ListToolsAsync();

        Assert.Equal(AllTools, tools.Select(t => t.Name).Order());
        Assert.Equal(
            """[{"type":"oauth2","scopes":["admin","admin.purge"]}]""",
            Assert.Single(tools, t => t.Name == "purge").ProtocolTool.Meta!["securitySchemes"]!.ToJsonString());
        Assert.Equal(["calendar_summary", "greeting"], (await client.ListPromptsAsync()).Select(p => p.Name).Order());
        Assert.Equal(["about", "agenda", "today"], (await client.ListResourcesAsync()).Select(r => r.Name).Order());
        Assert.Equal(["event"], (await client.ListResourceTemplatesAsync()).Select(r => r.Name));
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task Using_a_listed_primitive_the_caller_may_not_use_still_gets_403_and_never_runs(string protocol)
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"), protocol);

        var scoped = await Assert.ThrowsAsync<HttpRequestException>(() => client.CallToolAsync("create_event").AsTask());
        var permission = await Assert.ThrowsAsync<HttpRequestException>(() => client.CallToolAsync("approve_invoice").AsTask());
        var resource = await Assert.ThrowsAsync<HttpRequestException>(() => client.ReadResourceAsync("calendar://events/3").AsTask());

        Assert.Equal(HttpStatusCode.Forbidden, scoped.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, permission.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, resource.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task In_ToolError_mode_a_listed_tool_the_caller_may_not_use_answers_with_a_tool_error()
    {
        var server = await StartAsync(o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"));
        Assert.Contains("create_event", (await client.ListToolsAsync()).Select(t => t.Name));

        var result = await client.CallToolAsync("create_event");

        Assert.True(result.IsError);
        Assert.NotNull(result.Meta?["mcp/www_authenticate"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task A_client_that_calls_only_what_it_lists_reaches_the_step_up(string protocol)
    {
        Authority.AddUser("U2Alice", user =>
        {
            user.Scopes.Add("calendar.read");
            user.Scopes.Add("calendar.write");
        });
        Authority.SignedInUser = "U2Alice";
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>(), o =>
        {
            o.HideUnauthorizedPrimitives = false;
            o.RequiredScopes.Add("calendar.read");
        });
        await using var client = await server.ConnectWithOAuthAsync(Authority, protocolVersion: protocol);

        var listed = await client.ListToolsAsync();
        var result = await Assert.Single(listed, t => t.Name == "create_event").CallAsync(new Dictionary<string, object?> { ["title"] = "retro" });

        Assert.Equal("created retro", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(2, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize"));
    }

    [Fact]
    public async Task A_caller_without_credentials_sees_everything_and_may_use_only_what_is_public()
    {
        var server = await StartAsync(o => o.AnonymousAccess = AnonymousAccess.PublicPrimitives);
        await using var client = await server.ConnectAsync(token: null);

        var tools = await client.ListToolsAsync();
        var open = await client.CallToolAsync("public_info");
        var closed = await Assert.ThrowsAsync<HttpRequestException>(() => client.CallToolAsync("list_events").AsTask());

        Assert.Equal(AllTools, tools.Select(t => t.Name).Order());
        Assert.Equal(
            """[{"type":"noauth"},{"type":"oauth2","scopes":[]}]""",
            Assert.Single(tools, t => t.Name == "public_info").ProtocolTool.Meta!["securitySchemes"]!.ToJsonString());
        Assert.Equal(["about", "agenda", "today"], (await client.ListResourcesAsync()).Select(r => r.Name).Order());
        Assert.Equal("public", Assert.IsType<TextContentBlock>(Assert.Single(open.Content)).Text);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        Assert.Equal(1, Calls.Total);
    }
}
