using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// The tool-call gate on a stateless server (protocol 2026-07-28, tool name also in the Mcp-Method and Mcp-Name headers),
/// through raw HTTP. Every refused call asserts that no tool ran.
/// </summary>
public sealed class StepUpGateTests : McpServerTests
{
    private ProtectedMcpServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await StartGatedServerAsync();
    }

    private string Token(params string[] scopes) => TokenFor(_server, scopes);

    private Task<ProtectedMcpServer> StartGatedServerAsync(Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(m => m.WithTools<CalendarTools>().WithTools<AdminTools>().WithTools<TenantTools>(), configure);

    private Task<HttpResponseMessage> CallToolAsync(string tool, params string[] scopes) =>
        SendAsync(RawMcp.ToolCall(_server.McpUrl, Token(scopes), tool));

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return await _server.Http.SendAsync(request);
        }
    }

    [Fact]
    public async Task Tool_call_without_the_scope_gets_403_with_insufficient_scope_before_the_tool_runs()
    {
        using var response = await CallToolAsync("create_event", "calendar.read");

        AssertStepUpChallenge(response, _server, "calendar.read calendar.write");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task The_403_body_is_a_JSON_RPC_error_carrying_the_insufficient_scope_details()
    {
        using var response = await CallToolAsync("create_event", "calendar.read", "profile");

        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(1, (int?)message["id"]);
        Assert.Equal(-32600, (int?)message["error"]!["code"]);
        var data = message["error"]!["data"]!;
        Assert.Equal("insufficient_scope", (string?)data["error"]);
        Assert.Equal("calendar.read calendar.write profile", (string?)data["scope"]);
        Assert.Equal("Token missing required scopes: calendar.write", (string?)data["error_description"]);
        Assert.Equal("""["calendar.write"]""", data["missing_scopes"]!.ToJsonString());
        Assert.Equal("""["calendar.read","profile"]""", data["token_scopes"]!.ToJsonString());
        Assert.Equal("""["calendar.read","calendar.write"]""", data["required_scopes"]!.ToJsonString());
    }

    [Fact]
    public async Task Tool_call_with_the_scopes_runs_the_tool()
    {
        using var response = await CallToolAsync("create_event", "calendar.read", "calendar.write");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal("created meeting", (string?)message["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("create_event"));
    }

    [Fact]
    public async Task Scopes_on_the_tool_class_and_method_are_all_required_and_all_named()
    {
        using var response = await CallToolAsync("purge", "admin.purge");

        AssertStepUpChallenge(response, _server, "admin admin.purge");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task AllowAnonymous_on_a_tool_lets_it_run_whatever_else_it_carries()
    {
        using var response = await CallToolAsync("public_info");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("public_info"));
    }

    [Fact]
    public async Task An_expired_token_gets_401_never_403()
    {
        var expired = Authority.CreateToken(t => { t.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2); t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1); });

        using var response = await SendAsync(RawMcp.ToolCall(_server.McpUrl, expired, "create_event"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP(
                $"Bearer error=\"invalid_token\", error_description=\"The access token expired\", scope=\"admin admin.purge audit.read calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(_server)}\"",
                MetadataUrl(_server),
                "admin admin.purge audit.read calendar.read calendar.write"),
            response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_name_header_that_disagrees_with_the_body_cannot_borrow_an_open_tool()
    {
        using var response = await SendAsync(RawMcp.ToolCall(_server.McpUrl, Token(), "create_event", nameHeader: "ping"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_name_header_naming_a_tool_the_caller_may_use_never_runs_the_other_tool_its_body_names()
    {
        // The header names a tool the caller may use; the body asks for purge, whose scopes the caller lacks.
        using var response = await SendAsync(RawMcp.ToolCall(_server.McpUrl, Token("calendar.read", "calendar.write"), "purge", nameHeader: "create_event"));

        AssertStepUpChallenge(response, _server, "admin admin.purge");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task With_another_default_scheme_the_MCP_endpoint_still_authenticates_challenges_and_steps_up_with_Descope()
    {
        var server = await StartServerAsync(
            m => m.WithTools<CalendarTools>(),
            services: s => s.AddAuthentication(o => o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme).AddCookie());

        using var anonymous = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, token: null, "create_event"));
        using var stepUp = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read"), "create_event"));
        using var allowed = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read", "calendar.write"), "create_event"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP($"Bearer scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\"", MetadataUrl(server), "calendar.read calendar.write"),
            anonymous.Headers.WwwAuthenticate.ToString());
        AssertStepUpChallenge(stepUp, server, "calendar.read calendar.write");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, Calls.Of("create_event"));
    }

    [Fact]
    public async Task A_name_header_that_names_a_protected_tool_over_an_open_body_is_refused_by_the_MCP_server()
    {
        using var response = await SendAsync(RawMcp.ToolCall(_server.McpUrl, Token(), "ping", nameHeader: "create_event"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("tools/list")]
    [InlineData("ping")]
    [InlineData("Tools/Call")]
    [InlineData(null)]
    public async Task A_method_header_that_hides_a_tool_call_gets_the_call_refused(string? methodHeader)
    {
        var request = RawMcp.Post(_server.McpUrl, Token(), RawMcp.ToolCallBody("create_event"), RawMcp.Latest, ("Mcp-Name", "create_event"));
        if (methodHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Method", methodHeader);
        }

        using var response = await SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"Got {response.StatusCode}.");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_batch_is_refused_before_any_tool_runs()
    {
        var batch = "[" + RawMcp.ToolCallBody("create_event") + "," + RawMcp.ToolCallBody("ping", id: 2) + "]";

        using var response = await SendAsync(RawMcp.Post(_server.McpUrl, Token(), batch, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "create_event")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad Request: JSON-RPC batches are not supported.", (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"tools/call","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping"},"params":{"name":"create_event"}}""")]
    public async Task Duplicate_JSON_members_are_refused(string body)
    {
        using var response = await SendAsync(RawMcp.Post(_server.McpUrl, Token(), body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "ping")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("CREATE_EVENT")]
    [InlineData("Create_Event")]
    public async Task An_unknown_tool_or_a_differently_cased_name_runs_nothing(string tool)
    {
        using var response = await CallToolAsync(tool);

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.NotNull(message["error"]);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Escaped_names_are_judged_as_the_MCP_server_reads_them()
    {
        const string body = """{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"create\u005fevent","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""";

        using var response = await SendAsync(RawMcp.Post(_server.McpUrl, Token(), body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "create_event")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_body_in_another_charset_is_refused_rather_than_guessed()
    {
        var request = RawMcp.ToolCall(_server.McpUrl, Token(), "create_event");
        request.Content = new StringContent(RawMcp.ToolCallBody("create_event"), Encoding.Unicode, "application/json");

        using var response = await SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_tool_call_larger_than_the_limit_gets_413_and_never_runs()
    {
        var server = await StartGatedServerAsync(o => o.MaxToolCallBodySize = 2048);
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "ping", ["arguments"] = new JsonObject { ["pad"] = new string('x', 4096) } });

        using var response = await server.Http.SendAsync(RawMcp.Post(server.McpUrl, TokenFor(server), body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "ping")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(2048, HttpStatusCode.OK)]
    [InlineData(2049, HttpStatusCode.RequestEntityTooLarge)]
    public async Task A_chunked_tool_call_exactly_at_the_limit_passes_and_one_byte_more_does_not(int size, HttpStatusCode expected)
    {
        var server = await StartGatedServerAsync(o => o.MaxToolCallBodySize = 2048);
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "ping", ["arguments"] = new JsonObject() });
        body = body.PadRight(size);
        var request = RawMcp.Post(server.McpUrl, TokenFor(server), body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "ping"));
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, Calls.Total);
    }

    [Fact]
    public async Task A_large_chunked_tool_call_is_cut_off_at_the_limit()
    {
        var server = await StartGatedServerAsync(o => o.MaxToolCallBodySize = 2048);
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "ping", ["arguments"] = new JsonObject { ["pad"] = new string('x', 4096) } });
        var request = RawMcp.Post(server.McpUrl, TokenFor(server), body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "ping"));
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Requests_that_are_not_tool_calls_pass_without_their_body_being_read()
    {
        // Over the tool-call limit, yet served: the gate never read it.
        var server = await StartGatedServerAsync(o => o.MaxToolCallBodySize = 2048);
        var body = RawMcp.Body("tools/list", new JsonObject { ["cursor"] = null, ["pad"] = new string('x', 4096) });

        using var response = await server.Http.SendAsync(RawMcp.Post(server.McpUrl, TokenFor(server), body, RawMcp.Latest, ("Mcp-Method", "tools/list")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await RawMcp.ReadMessageAsync(response))["result"]!["tools"]);
    }

    [Fact]
    public async Task A_missing_role_is_403_without_a_step_up_hint()
    {
        using var response = await CallToolAsync("audit", "audit.read");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal("Forbidden: the caller lacks a role or permission this tool requires.", (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Missing_scopes_are_reported_before_a_missing_role_so_the_client_can_step_up_first()
    {
        using var response = await CallToolAsync("audit");

        AssertStepUpChallenge(response, _server, "audit.read");
    }

    [Fact]
    public async Task A_scope_checked_inside_a_tool_becomes_a_tool_error_naming_the_missing_scope()
    {
        using var response = await CallToolAsync("export_events");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await RawMcp.ReadMessageAsync(response))["result"]!;
        Assert.True((bool?)result["isError"]);
        Assert.Equal("An error occurred invoking 'export_events': Token missing required scopes: calendar.export", (string?)result["content"]![0]!["text"]);
        Assert.Equal(0, Calls.Of("export_events"));
    }

    [Fact]
    public async Task The_gate_also_guards_MCP_endpoints_protected_explicitly_with_RequireDescopeAuthorization()
    {
        var server = await StartServerAsync(
            m => m.WithTools<CalendarTools>(),
            o => o.ProtectMcpEndpoints = false,
            map: app => app.MapMcp("/mcp").RequireDescopeAuthorization());

        using var refused = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read"), "create_event"));
        using var allowed = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read", "calendar.write"), "create_event"));

        AssertStepUpChallenge(refused, server, "calendar.read calendar.write");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, Calls.Of("create_event"));
    }
}
