using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Arguments;

/// <summary>
/// Scopes decided by a tool call's arguments (<see cref="RequireArgumentScopesAttribute"/>): delete_event needs
/// calendar.write, plus calendar.admin on a shared calendar, judged before the tool runs, on both protocol generations.
/// </summary>
public sealed class ArgumentScopeTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful = false, Action<DescopeMcpOptions>? configure = null, Action<WebApplication>? map = null) =>
        StartServerAsync(m => m.WithTools<SharedCalendarTools>(), configure, stateful, map: map);

    private async Task<HttpResponseMessage> DeleteAsync(ProtectedMcpServer server, bool stateful, JsonNode? calendarId, params string[] scopes)
    {
        var token = TokenFor(server, scopes);
        var arguments = new JsonObject { ["calendar_id"] = calendarId };
        var protocol = stateful ? RawMcp.Stateful : RawMcp.Latest;
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "delete_event", ["arguments"] = arguments }, protocol);
        if (!stateful)
        {
            using var request = RawMcp.ToolCall(server.McpUrl, token, "delete_event", body: body);
            return await server.Http.SendAsync(request);
        }

        var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);
        using var inSession = RawMcp.Post(server.McpUrl, token, body, RawMcp.Stateful, ("Mcp-Session-Id", session));
        return await server.Http.SendAsync(inSession);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_on_a_personal_calendar_needs_only_the_tools_own_scope(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await DeleteAsync(server, stateful, "personal", "calendar.write");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("deleted from personal", (string?)(await RawMcp.ReadMessageAsync(response))["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_on_a_shared_calendar_gets_one_challenge_naming_the_static_and_the_argument_scopes(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await DeleteAsync(server, stateful, "company");

        AssertStepUpChallenge(response, server, "calendar.write calendar.admin calendar.audit");
        var data = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!;
        Assert.Equal("""["calendar.write","calendar.admin","calendar.audit"]""", data["missing_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Of("delete_event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_on_a_shared_calendar_runs_with_the_argument_scope(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await DeleteAsync(server, stateful, "team", "calendar.write", "calendar.admin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Fact]
    public async Task A_broader_scope_satisfies_the_argument_scope_through_the_hierarchy()
    {
        var server = await StartAsync(configure: o => o.ScopeHierarchy["calendar.owner"] = ["calendar.admin", "calendar.write"]);

        using var response = await DeleteAsync(server, stateful: false, "team", "calendar.owner");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rule_that_fails_or_names_no_scope_gets_a_plain_403_never_a_500(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var unreadable = await DeleteAsync(server, stateful, "unreadable", "calendar.write", "calendar.admin");
        using var invalidScope = await DeleteAsync(server, stateful, "invalid", "calendar.write", "calendar.admin");

        foreach (var response in new[] { unreadable, invalidScope })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Empty(response.Headers.WwwAuthenticate);
        }

        Assert.Equal(0, Calls.Of("delete_event"));
    }

    [Fact]
    public async Task In_ToolError_mode_a_shared_calendar_call_gets_a_tool_error_with_the_argument_scopes()
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await DeleteAsync(server, stateful: false, "team", "calendar.write");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await RawMcp.ReadMessageAsync(response))["result"]!;
        Assert.True((bool?)result["isError"]);
        Assert.Equal("""["calendar.admin"]""", result["structuredContent"]!["missing_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Of("delete_event"));
    }

    [Fact]
    public async Task The_MCP_servers_authorization_filter_enforces_the_rule_where_the_gate_is_not_in_front()
    {
        var server = await StartAsync(
            configure: o => o.ProtectMcpEndpoints = false,
            map: app => app.MapMcp("/mcp").RequireAuthorization(DescopeMcpDefaults.AuthorizationPolicy));

        using var shared = await DeleteAsync(server, stateful: false, "team", "calendar.write");
        using var personal = await DeleteAsync(server, stateful: false, "personal", "calendar.write");

        Assert.NotNull((await RawMcp.ReadMessageAsync(shared))["error"]);
        Assert.Equal(HttpStatusCode.OK, personal.StatusCode);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Fact]
    public async Task The_tool_is_listed_for_callers_with_its_static_scope()
    {
        var server = await StartAsync();
        await using var writer = await server.ConnectAsync(TokenFor(server, "calendar.write"));
        await using var none = await server.ConnectAsync(TokenFor(server));

        Assert.Equal(["delete_event"], (await writer.ListToolsAsync()).Select(t => t.Name));
        Assert.Empty(await none.ListToolsAsync());
    }

    [Fact]
    public void A_rule_type_that_is_not_a_rule_is_refused_when_the_attribute_is_made()
    {
        Assert.Throws<ArgumentException>(() => new RequireArgumentScopesAttribute(typeof(string)));
    }
}
