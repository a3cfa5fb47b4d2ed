using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore.Tests.Arguments;

/// <summary>
/// An argument rule judges the value the tool receives: arguments that do not conform to the tool's input schema are
/// refused with invalid params (-32602) before any rule runs, omitted arguments reach the rule as their defaults, and a
/// value the schema cannot pin down is read by the rule as the tool reads it. Both protocol generations, in front of the
/// MCP server and in its authorization filter.
/// </summary>
public sealed class ArgumentConformanceTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful = false, Action<DescopeMcpOptions>? configure = null, Action<WebApplication>? map = null) =>
        StartServerAsync(m => m.WithTools<GuardedTools>(), configure, stateful, map: map);

    /// <summary>Starts a server where only the MCP SDK's authorization filter stands between the client and the tools.</summary>
    private Task<ProtectedMcpServer> StartWithoutGateAsync() => StartAsync(
        configure: o => o.ProtectMcpEndpoints = false,
        map: app => app.MapMcp("/mcp").RequireAuthorization(DescopeMcpDefaults.AuthorizationPolicy));

    /// <summary>A tools/call whose arguments are written exactly as given, duplicates and letter case included.</summary>
    private async Task<HttpResponseMessage> CallAsync(ProtectedMcpServer server, bool stateful, string tool, string arguments, params string[] scopes)
    {
        var token = TokenFor(server, ["payments.write", .. scopes]);
        var protocol = stateful ? RawMcp.Stateful : RawMcp.Latest;
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = "ARGUMENTS" }, protocol, id: 7)
            .Replace("\"ARGUMENTS\"", arguments, StringComparison.Ordinal);
        if (!stateful)
        {
            using var request = RawMcp.ToolCall(server.McpUrl, token, tool, body: body);
            return await server.Http.SendAsync(request);
        }

        var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);
        using var inSession = RawMcp.Post(server.McpUrl, token, body, RawMcp.Stateful, ("Mcp-Session-Id", session));
        return await server.Http.SendAsync(inSession);
    }

    /// <summary>An HTTP 400 carrying a JSON-RPC invalid params error for request 7 that names the argument and nothing sent.</summary>
    private static async Task AssertInvalidParamsAsync(HttpResponseMessage response, string path)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal("2.0", (string?)message["jsonrpc"]);
        Assert.Equal(7, (int?)message["id"]);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
        var text = (string?)message["error"]!["message"];
        Assert.Contains(path, text, StringComparison.Ordinal);
        Assert.DoesNotContain("5000", text, StringComparison.Ordinal);
        Assert.DoesNotContain("shared-x", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, bool> NonConformingCalls()
    {
        var data = new TheoryData<string, string, string, bool>();
        (string Tool, string Arguments, string Path)[] calls =
        [
            ("pay", """{"amount":"5000"}""", "arguments.amount"),
            ("pay", """{"amount":5000.0}""", "arguments.amount"),
            ("pay", """{"amount":5e3}""", "arguments.amount"),
            ("pay", """{"Amount":5000}""", "arguments.amount"),
            ("pay", """{"amount":1,"amount":5000}""", "arguments.amount"),
            ("pay", """{"amount":1,"AMOUNT":5000}""", "arguments.amount"),
            ("pay", """{"amount":1,"memo":"x"}""", "arguments"),
            ("pay", """[5000]""", "arguments"),
            ("pay", """{}""", "arguments.amount"),
            ("set_access", """{"level":2}""", "arguments.level"),
            ("set_access", """{"level":"admin"}""", "arguments.level"),
            ("set_access", """{"level":"Read, Admin"}""", "arguments.level"),
            ("share", """{"request":{"Calendar":"shared-x"}}""", "arguments.request.calendar"),
            ("share", """{"request":{"calendar":"a","Calendar":"shared-x"}}""", "arguments.request.calendar"),
            ("share", """{"request":{"calendar":"a","calendar":"shared-x"}}""", "arguments.request.calendar"),
            ("share", """{"request":"shared-x"}""", "arguments.request"),
            ("transfer", """{"limit":"5000"}""", "arguments.limit"),
        ];
        foreach (var stateful in new[] { false, true })
        {
            foreach (var (tool, arguments, path) in calls)
            {
                data.Add(tool, arguments, path, stateful);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonConformingCalls))]
    public async Task Arguments_that_do_not_conform_to_the_tools_schema_are_refused_as_invalid_params_before_any_rule_runs(
        string tool, string arguments, string path, bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CallAsync(server, stateful, tool, arguments);

        await AssertInvalidParamsAsync(response, path);
        Assert.Equal(0, Calls.Of("rule:" + tool));
        Assert.Equal(0, Calls.Of(tool));
    }

    [Fact]
    public async Task In_ToolError_mode_non_conforming_arguments_are_still_refused_as_invalid_params()
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await CallAsync(server, stateful: false, "pay", """{"amount":"5000"}""");

        await AssertInvalidParamsAsync(response, "arguments.amount");
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("pay", """{"amount":5000}""", "payments.large", "pay:5000")]
    [InlineData("set_access", """{"level":"Admin"}""", "access.admin", "set_access:Admin")]
    [InlineData("share", """{"request":{"calendar":"shared-x"}}""", "calendar.admin", "share:shared-x")]
    [InlineData("transfer", """{"limit":5000}""", "payments.large", "transfer:5000")]
    public async Task A_conforming_dangerous_value_needs_the_rules_scope_and_runs_with_it(string tool, string arguments, string scope, string effect)
    {
        foreach (var stateful in new[] { false, true })
        {
            var server = await StartAsync(stateful);

            using var without = await CallAsync(server, stateful, tool, arguments);
            using var with = await CallAsync(server, stateful, tool, arguments, scope);

            AssertStepUpChallenge(without, server, "payments.write " + scope);
            Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        }

        Assert.Equal(2, Calls.Of(effect));
    }

    [Theory]
    [InlineData("pay", """{"amount":10}""", "pay:10")]
    [InlineData("set_access", """{"level":"Read"}""", "set_access:Read")]
    [InlineData("grant", """{"flags":"Read"}""", "grant:Read")]
    [InlineData("share", """{"request":{"calendar":"personal","note":"hi"}}""", "share:personal")]
    [InlineData("transfer", """{"limit":100}""", "transfer:100")]
    public async Task A_conforming_harmless_value_runs_with_the_tools_own_scope(string tool, string arguments, string effect)
    {
        foreach (var stateful in new[] { false, true })
        {
            var server = await StartAsync(stateful);

            using var response = await CallAsync(server, stateful, tool, arguments);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, Calls.Of(effect));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_omitted_argument_reaches_the_rule_as_its_default_so_the_large_default_needs_the_scope(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var without = await CallAsync(server, stateful, "transfer", "{}");
        using var with = await CallAsync(server, stateful, "transfer", "{}", "payments.large");

        AssertStepUpChallenge(without, server, "payments.write payments.large");
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal(1, Calls.Of("transfer:5000"));
        Assert.Equal(1, Calls.Of("transfer"));
    }

    [Theory]
    [InlineData("""{"flags":"Admin"}""", false)]
    [InlineData("""{"flags":"Read, Admin"}""", false)]
    [InlineData("""{"flags":"admin"}""", false)]
    [InlineData("""{"flags":"Admin, Read"}""", true)]
    [InlineData("""{"flags":"read,ADMIN"}""", true)]
    public async Task A_flags_value_the_schema_cannot_pin_down_is_judged_as_the_tool_reads_it(string arguments, bool stateful)
    {
        var server = await StartAsync(stateful);

        using var without = await CallAsync(server, stateful, "grant", arguments);
        using var with = await CallAsync(server, stateful, "grant", arguments, "access.admin");

        AssertStepUpChallenge(without, server, "payments.write access.admin");
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal(1, Calls.Of("grant"));
    }

    [Fact]
    public async Task A_flags_value_the_tool_cannot_read_is_refused_without_running_the_tool()
    {
        var server = await StartAsync();

        using var response = await CallAsync(server, stateful: false, "grant", """{"flags":"Root"}""", "access.admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(0, Calls.Of("grant"));
    }

    [Fact]
    public async Task The_MCP_client_sees_invalid_params_for_a_number_sent_as_a_string()
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(TokenFor(server, "payments.write"));

        var refused = await Assert.ThrowsAnyAsync<McpException>(
            () => client.CallToolAsync("pay", new Dictionary<string, object?> { ["amount"] = "5000" }).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, Assert.IsType<McpProtocolException>(refused).ErrorCode);
        Assert.Equal(0, Calls.Of("pay"));
        Assert.Equal(0, Calls.Of("rule:pay"));
    }

    [Theory]
    [InlineData("pay", """{"amount":"5000"}""")]
    [InlineData("pay", """{"Amount":5000}""")]
    [InlineData("pay", """{"amount":1,"AMOUNT":5000}""")]
    [InlineData("set_access", """{"level":2}""")]
    [InlineData("set_access", """{"level":"admin"}""")]
    [InlineData("share", """{"request":{"Calendar":"shared-x"}}""")]
    [InlineData("share", """{"request":{"calendar":"a","Calendar":"shared-x"}}""")]
    public async Task The_MCP_servers_authorization_filter_refuses_non_conforming_arguments_as_invalid_params_where_the_gate_is_not_in_front(
        string tool, string arguments)
    {
        var server = await StartWithoutGateAsync();

        using var response = await CallAsync(server, stateful: false, tool, arguments);

        var error = (await RawMcp.ReadMessageAsync(response))["error"];
        Assert.NotNull(error);
        Assert.Equal(-32602, (int?)error["code"]);
        Assert.Equal(0, Calls.Of("rule:" + tool));
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("transfer", "{}")]
    [InlineData("grant", """{"flags":"Read, Admin"}""")]
    [InlineData("set_access", """{"level":"Admin"}""")]
    public async Task The_MCP_servers_authorization_filter_judges_defaults_and_flags_as_the_tool_receives_them(string tool, string arguments)
    {
        var server = await StartWithoutGateAsync();

        using var refused = await CallAsync(server, stateful: false, tool, arguments);
        using var harmless = await CallAsync(server, stateful: false, "pay", """{"amount":10}""");

        Assert.NotNull((await RawMcp.ReadMessageAsync(refused))["error"]);
        Assert.Equal(HttpStatusCode.OK, harmless.StatusCode);
        Assert.Equal(0, Calls.Of(tool));
        Assert.Equal(1, Calls.Of("pay:10"));
    }
}
