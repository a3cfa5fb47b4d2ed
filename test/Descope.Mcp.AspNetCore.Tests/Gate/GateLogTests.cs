using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// Every answer the gate gives in place of the MCP server leaves one log line saying why (event 20: a refused primitive,
/// 21: a refused body, including one of a media type the MCP server cannot read, 22: a failed argument rule, 24: a request
/// without credentials challenged to sign in), and none of them carries the caller's token or what a stranger named.
/// </summary>
public sealed class GateLogTests : McpServerTests
{
    private const string GateCategory = "Descope.Mcp.AspNetCore.Gate.PrimitiveGate";

    private readonly RecordingLoggerProvider _logs = new();

    private Task<ProtectedMcpServer> StartAsync() => StartServerAsync(
        m => m.WithTools<CalendarTools>().WithTools<SharedCalendarTools>(),
        services: s => s.AddLogging(logging => logging.AddProvider(_logs).AddFilter(GateCategory, LogLevel.Debug)));

    private LogEntry SingleGateEntry(int eventId) =>
        Assert.Single(_logs.Entries, e => e.Category == GateCategory && e.EventId.Id == eventId);

    [Fact]
    public async Task A_body_the_parser_refuses_is_logged_with_the_parsers_reason()
    {
        var server = await StartAsync();
        var token = TokenFor(server);
        const string body = """{"jsonrpc":"2.0","id":["a"],"method":"tools/call","params":{"name":"create_event"}}""";

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, token, "create_event", body: body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answered = (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"];
        var entry = SingleGateEntry(21);
        Assert.Equal("Bad Request: " + entry.Values["Reason"], answered);
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_body_the_gate_did_not_read_is_logged_as_refused()
    {
        var server = await StartAsync();
        var token = TokenFor(server);
        var body = Encoding.UTF8.GetBytes(RawMcp.Body("tools/list", []));
        body[Encoding.UTF8.GetString(body).IndexOf("protocolVersion", StringComparison.Ordinal) + 3] = 0xBE;
        var request = RawMcp.Post(server.McpUrl, token, string.Empty, RawMcp.Latest, ("Mcp-Method", "tools/list"));
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("An MCP request body was refused before it reached the MCP server: invalid UTF-8", SingleGateEntry(21).Message);
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task A_body_of_an_unsupported_content_type_is_logged_as_refused()
    {
        var server = await StartAsync();
        var token = TokenFor(server, "calendar.write");
        var request = RawMcp.ToolCall(server.McpUrl, token, "create_event");
        // JSON by its media type, so routing lets it through; in a charset the MCP server cannot read.
        request.Content = new StringContent(RawMcp.ToolCallBody("create_event"), Encoding.Unicode, "application/json");

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var entry = SingleGateEntry(21);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("An MCP request body was refused before it reached the MCP server: unsupported Content-Type", entry.Message);
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task A_refused_tool_call_is_logged_with_the_tool_and_the_outcome()
    {
        var server = await StartAsync();
        var token = TokenFor(server, "calendar.read");

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, token, "create_event"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var entry = SingleGateEntry(20);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("A tools/call request for Tool create_event was refused before its handler ran: MissingScopes.", entry.Message);
        Assert.Equal(0, Calls.Of("create_event"));
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task An_argument_rule_that_fails_is_logged_with_its_exception_and_the_call_refused()
    {
        var server = await StartAsync();
        var token = TokenFor(server, "calendar.write");
        var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "delete_event", ["arguments"] = new JsonObject { ["calendar_id"] = "unreadable" } });

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, token, "delete_event", body: body));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var entry = SingleGateEntry(22);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("An argument scope rule of delete_event failed, so the call was refused.", entry.Message);
        Assert.NotNull(entry.Exception);
        SingleGateEntry(20);
        Assert.Equal(0, Calls.Of("delete_event"));
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task A_request_without_credentials_challenged_to_sign_in_is_logged_without_what_it_named()
    {
        var server = await StartServerAsync(
            m => m.WithTools<CalendarTools>(),
            o => o.AnonymousAccess = AnonymousAccess.PublicPrimitives,
            services: s => s.AddLogging(logging => logging.AddProvider(_logs).AddFilter(GateCategory, LogLevel.Debug)));

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, token: null, "tool-named-by-a-stranger"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var entry = SingleGateEntry(24);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("An MCP POST request without credentials asked for something that is not public; it was challenged to sign in.", entry.Message);
        Assert.Empty(_logs.EntriesContaining("tool-named-by-a-stranger"));
    }
}
