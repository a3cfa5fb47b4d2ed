using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// A gated request over <see cref="DescopeMcpOptions.MaxToolCallBodySize"/> is answered 413 and that is the end of it:
/// its body is read no further (not at all when its Content-Length already says so), no argument rule or tool runs, and
/// the 413 is the one and only answer the server writes. delete_event has an argument rule, so its body is always read.
/// </summary>
public sealed class GatePayloadLimitTests : McpServerTests
{
    private const int Limit = 2048;

    /// <summary>ASP.NET Core hosting's "Request finished" line.</summary>
    private const int RequestFinishedEventId = 2;

    private readonly RecordingLoggerProvider _logs = new();

    private Task<ProtectedMcpServer> StartAsync() => StartServerAsync(
        m => m.WithTools<SharedCalendarTools>(),
        o => o.MaxToolCallBodySize = Limit,
        services: s => s.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information)));

    private HttpRequestMessage DeleteRequest(ProtectedMcpServer server, int padding, out byte[] body)
    {
        var json = RawMcp.Body("tools/call", new JsonObject { ["name"] = "delete_event", ["arguments"] = new JsonObject { ["calendar_id"] = "personal" } });
        body = Encoding.UTF8.GetBytes(json.PadRight(json.Length + padding));
        return RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.write"), "delete_event");
    }

    /// <summary>Exactly the gate's 413: status, JSON-RPC error, and a body of the length it declares.</summary>
    private static async Task AssertPayloadTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(response.Content.Headers.ContentLength, Encoding.UTF8.GetByteCount(text));
        var message = JsonNode.Parse(text)!;
        Assert.Null(message["id"]);
        Assert.Equal(-32600, (int?)message["error"]!["code"]);
        Assert.Equal(
            $"Payload Too Large: an MCP request body the server checks before tools, prompts and resources run may have at most {Limit} bytes.",
            (string?)message["error"]!["message"]);
    }

    /// <summary>
    /// The server finished the request it answered 413 (ASP.NET Core's "Request finished" line comes once the whole
    /// pipeline has returned), and nothing failed on the way: a body read after the 413 would keep the request open, a
    /// second answer would end it in an exception the server logs. Both happen after the client has its response.
    /// </summary>
    private async Task AssertNothingFailedAfterTheAnswerAsync()
    {
        for (var waited = 0; waited < 200 && !_logs.Entries.Any(IsFinished413); waited++)
        {
            await Task.Delay(50);
        }

        Assert.Single(_logs.Entries, IsFinished413);
        Assert.DoesNotContain(_logs.Entries, e => e.Exception is not null || e.Level >= LogLevel.Error);
    }

    private static bool IsFinished413(LogEntry entry) =>
        entry.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && entry.EventId.Id == RequestFinishedEventId
        && entry.Values.TryGetValue("StatusCode", out var status) && Equals(status, StatusCodes.Status413PayloadTooLarge);

    [Fact]
    public async Task A_declared_length_over_the_limit_gets_413_before_the_client_sends_the_body()
    {
        var server = await StartAsync();
        using var request = DeleteRequest(server, Limit, out var body);
        var content = new ObservedContent(body);
        request.Content = content;
        request.Headers.ExpectContinue = true;
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) };
        using var http = new HttpClient(handler);

        using var response = await http.SendAsync(request);

        await AssertPayloadTooLargeAsync(response);
        Assert.False(content.Sent, "the server asked for the body of a request it had already answered");
        Assert.Equal(0, Calls.Total);
        await AssertNothingFailedAfterTheAnswerAsync();
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_only_the_413_and_nothing_after_it()
    {
        var server = await StartAsync();
        using var request = DeleteRequest(server, Limit, out var body);
        request.Content = new StreamContent(new MemoryStream(body)) { Headers = { ContentType = new("application/json") } };
        request.Headers.TransferEncodingChunked = true;

        using var response = await server.Http.SendAsync(request);

        await AssertPayloadTooLargeAsync(response);
        Assert.Equal(0, Calls.Total);
        await AssertNothingFailedAfterTheAnswerAsync();
    }

    [Theory]
    [InlineData(0, HttpStatusCode.OK)]
    [InlineData(1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task A_declared_length_exactly_at_the_limit_passes_and_one_byte_more_does_not(int over, HttpStatusCode expected)
    {
        var server = await StartAsync();
        using var request = DeleteRequest(server, padding: 0, out var unpadded);
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(unpadded).PadRight(Limit + over));
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(body.Length, request.Content.Headers.ContentLength);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, Calls.Of("delete_event"));
        if (expected == HttpStatusCode.RequestEntityTooLarge)
        {
            await AssertNothingFailedAfterTheAnswerAsync();
        }
    }

    /// <summary>A body that says whether the client was ever asked to send it.</summary>
    private sealed class ObservedContent : HttpContent
    {
        private readonly byte[] _body;

        public ObservedContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new("application/json");
            Headers.ContentLength = body.Length;
        }

        public bool Sent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Sent = true;
            await stream.WriteAsync(_body);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
