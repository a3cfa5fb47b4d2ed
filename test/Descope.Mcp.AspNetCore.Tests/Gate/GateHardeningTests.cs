using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// Bodies and headers the MCP server itself cannot read (it would answer 500) and ids JSON-RPC forbids are refused in
/// front of it with 415 or 400; a fuzzed stream of such requests (tool calls, completions, subscriptions) never gets a 5xx
/// and never runs a scoped tool.
/// </summary>
public sealed class GateHardeningTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful = false) =>
        StartServerAsync(m => m.WithTools<CalendarTools>().WithCompletablePrimitives(Calls), stateful: stateful, services: s =>
#pragma warning disable MCP9004 // The legacy SSE transport is part of what is hardened.
            s.Configure<ModelContextProtocol.AspNetCore.HttpServerTransportOptions>(t => t.EnableLegacySse = stateful));
#pragma warning restore MCP9004

    [Theory]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=UTF8")]
    [InlineData("text/plain")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_tool_call_whose_content_type_the_MCP_server_cannot_read_gets_415(string? contentType)
    {
        var server = await StartAsync();
        var request = RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read", "calendar.write"), "create_event");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(RawMcp.ToolCallBody("create_event")));
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("application/json;charset=utf-8")]
    [InlineData("application/json; foo=bar")]
    [InlineData("APPLICATION/JSON; CHARSET=UTF-8")]
    [InlineData("application/vnd.example+json")]
    public async Task A_tool_call_in_any_spelling_of_JSON_in_UTF8_is_judged_and_runs(string contentType)
    {
        var server = await StartAsync();
        var request = RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read", "calendar.write"), "create_event");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(RawMcp.ToolCallBody("create_event")));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("create_event"));
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":{"x":"<script>"},"method":"tools/call","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":["a"],"method":"tools/call","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"\udc00","method":"tools/call","params":{"name":"create_event"}}""")]
    public async Task An_id_JSON_RPC_forbids_is_refused_with_400_and_never_copied(string body)
    {
        var server = await StartAsync();

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server), "create_event", body: body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Null((string?)message["id"]);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task An_id_of_invalid_utf8_is_refused_with_400()
    {
        var server = await StartAsync();
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"x"), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("\",\"method\":\"tools/call\",\"params\":{\"name\":\"create_event\"}}")];
        var request = RawMcp.ToolCall(server.McpUrl, TokenFor(server), "create_event");
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_body_the_gate_does_not_read_gets_400_not_500()
    {
        var server = await StartAsync();
        var body = Encoding.UTF8.GetBytes(RawMcp.Body("tools/list", []));
        body[Encoding.UTF8.GetString(body).IndexOf("protocolVersion", StringComparison.Ordinal) + 3] = 0xBE;
        var request = RawMcp.Post(server.McpUrl, TokenFor(server), string.Empty, RawMcp.Latest, ("Mcp-Method", "tools/list"));
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad Request: The request body is not valid UTF-8 JSON.", (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
    }

    [Theory]
    [InlineData(null, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_events"}}""", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", """{"id":1,"method":"tools/call","params":{"name":"list_events"}}""", HttpStatusCode.BadRequest)]
    public async Task A_legacy_sse_message_without_content_type_or_jsonrpc_is_refused(string? contentType, string body, HttpStatusCode expected)
    {
        var server = await StartAsync(stateful: true);
        var token = TokenFor(server, "calendar.read");
        using var stream = await OpenSseAsync(server, token);
        var request = RawMcp.Post(new Uri(server.BaseAddress, stream.MessagePath).AbsoluteUri, token, body, protocol: null);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Fuzzed_requests_of_both_protocol_generations_never_get_a_5xx_nor_run_the_scoped_tool()
    {
        var stateless = await StartAsync();
        var stateful = await StartAsync(stateful: true);
        var statelessToken = TokenFor(stateless, "calendar.read");
        var statefulToken = TokenFor(stateful, "calendar.read");
        var session = await RawMcp.InitializeSessionAsync(stateful.Http, stateful.McpUrl, statefulToken);
        var random = new Random(20260728);
        var fuzzer = new McpRequestFuzzer(random);
        var cases = Enumerable.Range(0, 3000).Select(i => i % 2 == 0
            ? fuzzer.Next(stateless.McpUrl, statelessToken, RawMcp.Latest, sessionId: null)
            : fuzzer.Next(stateful.McpUrl, statefulToken, RawMcp.Stateful, session)).ToArray();

        var failures = new List<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (fuzzed, cancellationToken) =>
        {
            using var request = fuzzed.ToRequest();
            using var response = await stateless.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                lock (failures)
                {
                    failures.Add($"{(int)response.StatusCode} for {fuzzed}");
                }
            }
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(6)));
        Assert.Equal(0, Calls.Of("create_event"));
    }

    private static async Task<SseStream> OpenSseAsync(ProtectedMcpServer server, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "/mcp/sse"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                return new SseStream(response, line[5..].Trim());
            }
        }

        throw new InvalidOperationException("The SSE stream ended before naming its message endpoint.");
    }

    private sealed class SseStream(HttpResponseMessage response, string messagePath) : IDisposable
    {
        public string MessagePath { get; } = messagePath;

        public void Dispose() => response.Dispose();
    }
}
