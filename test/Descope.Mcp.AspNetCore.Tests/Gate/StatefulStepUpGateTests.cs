using System.Net;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// The tool-call gate on a stateful server speaking protocol 2025-11-25, where the tool name is only in the JSON-RPC body
/// and the SDK checks no Mcp-Method or Mcp-Name header. Raw HTTP within a real session.
/// </summary>
public sealed class StatefulStepUpGateTests : McpServerTests
{
    private ProtectedMcpServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await StartServerAsync(m => m.WithTools<CalendarTools>(), stateful: true);
    }

    private async Task<HttpResponseMessage> CallInSessionAsync(string body, params string[] scopes)
    {
        var token = TokenFor(_server, scopes);
        var session = await RawMcp.InitializeSessionAsync(_server.Http, _server.McpUrl, token);
        using var request = RawMcp.Post(_server.McpUrl, token, body, RawMcp.Stateful, ("Mcp-Session-Id", session));
        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task Tool_call_in_a_session_without_the_scope_gets_403_with_insufficient_scope_before_the_tool_runs()
    {
        using var response = await CallInSessionAsync(RawMcp.ToolCallBody("create_event", RawMcp.Stateful), "calendar.read");

        AssertStepUpChallenge(response, _server, "calendar.read calendar.write");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Tool_call_in_a_session_with_the_scopes_runs_the_tool()
    {
        using var response = await CallInSessionAsync(RawMcp.ToolCallBody("create_event", RawMcp.Stateful), "calendar.read", "calendar.write");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created meeting", (string?)(await RawMcp.ReadMessageAsync(response))["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("create_event"));
    }

    [Fact]
    public async Task Headers_claiming_another_method_are_ignored_and_the_body_decides()
    {
        var token = TokenFor(_server);
        var session = await RawMcp.InitializeSessionAsync(_server.Http, _server.McpUrl, token);
        using var request = RawMcp.Post(
            _server.McpUrl, token, RawMcp.ToolCallBody("create_event", RawMcp.Stateful), RawMcp.Stateful,
            ("Mcp-Session-Id", session), ("Mcp-Method", "tools/list"), ("Mcp-Name", "ping"));

        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"TOOLS/CALL","params":{"name":"create_event","arguments":{}}}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"create\u005fevent","arguments":{}}}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"create_event"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","name":"create_event"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_event"}}]""", HttpStatusCode.BadRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_event"}}garbage""", HttpStatusCode.BadRequest)]
    public async Task Bodies_that_try_to_slip_a_tool_call_past_the_gate_are_refused(string body, HttpStatusCode expected)
    {
        using var response = await CallInSessionAsync(body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_differently_cased_tool_name_runs_nothing()
    {
        using var response = await CallInSessionAsync(RawMcp.ToolCallBody("CREATE_EVENT", RawMcp.Stateful));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await RawMcp.ReadMessageAsync(response))["error"]);
        Assert.Equal(0, Calls.Total);
    }
}
