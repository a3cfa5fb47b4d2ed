using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Claims;

/// <summary>
/// A broader scope implies narrower ones (calendar.admin → calendar → calendar.read, calendar.write, calendar.export),
/// wherever a scope is judged, on both protocol generations; a narrower scope never satisfies a broader one.
/// </summary>
public sealed class ScopeHierarchyTests : McpServerTests
{
    private static void Hierarchy(DescopeMcpOptions options)
    {
        options.ScopeHierarchy["calendar"] = ["calendar.read", "calendar.write", "calendar.export"];
        options.ScopeHierarchy["calendar.admin"] = ["calendar"];
        options.ScopeHierarchy["admin"] = ["calendar.admin"];
    }

    private Task<ProtectedMcpServer> StartAsync(bool stateful = false, Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(
            m => m.WithTools<CalendarTools>().WithTools<AdminTools>().WithPrompts<RecordingPrompts>(),
            o => { Hierarchy(o); configure?.Invoke(o); },
            stateful);

    private async Task<HttpResponseMessage> CallAsync(ProtectedMcpServer server, bool stateful, string tool, params string[] scopes)
    {
        var token = TokenFor(server, scopes);
        if (!stateful)
        {
            using var request = RawMcp.ToolCall(server.McpUrl, token, tool);
            return await server.Http.SendAsync(request);
        }

        var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);
        using var inSession = RawMcp.Post(server.McpUrl, token, RawMcp.ToolCallBody(tool, RawMcp.Stateful), RawMcp.Stateful, ("Mcp-Session-Id", session));
        return await server.Http.SendAsync(inSession);
    }

    [Theory]
    [InlineData(false, "calendar")]
    [InlineData(true, "calendar")]
    [InlineData(false, "calendar.admin")]
    [InlineData(true, "calendar.admin")]
    public async Task A_broader_scope_calls_a_tool_that_requires_the_narrower_ones(bool stateful, string granted)
    {
        var server = await StartAsync(stateful);

        using var response = await CallAsync(server, stateful, "create_event", granted);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("create_event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_narrower_scope_never_satisfies_a_broader_one_and_the_challenge_names_what_the_tool_requires(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CallAsync(server, stateful, "purge", "calendar.admin", "admin.purge");

        AssertStepUpChallenge(response, server, "admin admin.purge");
        var data = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!;
        Assert.Equal("""["admin"]""", data["missing_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Missing_scopes_leave_out_what_a_granted_scope_implies()
    {
        var server = await StartAsync(configure: o => o.ScopeHierarchy["calendar.rw"] = ["calendar.read"]);

        using var response = await CallAsync(server, stateful: false, "create_event", "calendar.rw");

        AssertStepUpChallenge(response, server, "calendar.read calendar.write");
        var data = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!;
        Assert.Equal("""["calendar.write"]""", data["missing_scopes"]!.ToJsonString());
        Assert.Equal("""["calendar.rw"]""", data["token_scopes"]!.ToJsonString());
    }

    [Fact]
    public async Task Lists_are_filtered_with_the_hierarchy_and_marked_private_to_the_caller()
    {
        var server = await StartAsync();
        await using var broad = await server.ConnectAsync(TokenFor(server, "calendar"));
        await using var none = await server.ConnectAsync(TokenFor(server));

        var broadList = await broad.ListToolsAsync(new ListToolsRequestParams());
        var noneList = await none.ListToolsAsync(new ListToolsRequestParams());

        Assert.Equal(["create_event", "export_events", "list_events", "ping", "public_info"], broadList.Tools.Select(t => t.Name).Order());
        Assert.Equal(["export_events", "ping", "public_info"], noneList.Tools.Select(t => t.Name).Order());
        Assert.Equal(CacheScope.Private, broadList.CacheScope);
        Assert.Equal(CacheScope.Private, noneList.CacheScope);
        Assert.Equal(["weekly_review"], (await broad.ListPromptsAsync()).Select(p => p.Name));
    }

    [Fact]
    public async Task Scope_checks_inside_a_tool_apply_the_hierarchy()
    {
        var server = await StartAsync();

        using var allowed = await CallAsync(server, stateful: false, "export_events", "calendar.admin");
        using var refused = await CallAsync(server, stateful: false, "export_events", "calendar.read");

        Assert.False((bool?)(await RawMcp.ReadMessageAsync(allowed))["result"]!["isError"] ?? false);
        Assert.True((bool?)(await RawMcp.ReadMessageAsync(refused))["result"]!["isError"]);
        Assert.Equal(1, Calls.Of("export_events"));
    }

    [Fact]
    public async Task RequiredScopes_accept_a_broader_scope()
    {
        var server = await StartAsync(configure: o => o.RequiredScopes.Add("calendar.read"));

        using var broad = await server.Http.SendAsync(server.McpRequest(TokenFor(server, "calendar")));
        using var narrow = await server.Http.SendAsync(server.McpRequest(TokenFor(server, "calendar.write")));

        Assert.Equal(HttpStatusCode.OK, broad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, narrow.StatusCode);
    }

    [Fact]
    public async Task A_prompt_accepts_a_broader_scope()
    {
        var server = await StartAsync();
        using var request = RawMcp.Post(
            server.McpUrl, TokenFor(server, "calendar"), RawMcp.Body("prompts/get", new JsonObject { ["name"] = "weekly_review" }), RawMcp.Latest,
            ("Mcp-Method", "prompts/get"), ("Mcp-Name", "weekly_review"));

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("weekly_review"));
    }

    [Fact]
    public async Task ClaimsPrincipal_helpers_apply_the_hierarchy_also_to_a_remembered_token()
    {
        var server = await StartAsync();
        var validator = server.Services.GetRequiredService<IDescopeTokenValidator>();
        var token = TokenFor(server, "calendar", "profile");

        foreach (var attempt in new[] { "fresh", "remembered" })
        {
            var user = (await validator.ValidateTokenAsync(token)).Principal!;

            Assert.True(user.HasScopes("calendar.read", "calendar.write"), attempt);
            Assert.False(user.HasScopes("calendar.admin"), attempt);
            Assert.Equal(["calendar", "profile"], user.GetScopes());
            var failure = Assert.Throws<InsufficientScopeException>(() => user.RequireScopes("calendar.export", "admin"));
            Assert.Equal(["admin"], failure.MissingScopes);
            Assert.Equal(["calendar.export", "admin"], failure.RequiredScopes);
        }
    }
}
