using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// The gate reads a tool call's body before the MCP server does (delete_event has an argument rule, so its body is
/// always read): whatever its size, framing or the middleware in front, the server reads exactly the bytes the gate
/// judged, and the tool echoes the argument it got.
/// </summary>
public sealed class GateBodyReadingTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(Action<WebApplication>? map = null) =>
        StartServerAsync(m => m.WithTools<SharedCalendarTools>(), map: map);

    private static string DeleteBody(string calendarId) =>
        RawMcp.Body("tools/call", new JsonObject { ["name"] = "delete_event", ["arguments"] = new JsonObject { ["calendar_id"] = calendarId } });

    private async Task<HttpResponseMessage> DeleteAsync(ProtectedMcpServer server, string calendarId, bool chunked)
    {
        var body = DeleteBody(calendarId);
        using var request = RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.write"), "delete_event", body: body);
        if (chunked)
        {
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TransferEncodingChunked = true;
        }

        return await server.Http.SendAsync(request);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(10, true)]
    [InlineData(100_000, false)]
    [InlineData(100_000, true)]
    [InlineData(1_500_000, false)]
    [InlineData(1_500_000, true)]
    public async Task The_MCP_server_reads_the_body_the_gate_judged_whatever_its_size(int length, bool chunked)
    {
        var server = await StartAsync();
        var calendarId = new string('p', length);

        using var response = await DeleteAsync(server, calendarId, chunked);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("deleted from " + calendarId, (string?)(await RawMcp.ReadMessageAsync(response))["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    public async Task The_MCP_server_reads_the_body_when_middleware_replaced_the_request_stream(int length)
    {
        var server = await StartAsync(map: app =>
        {
            app.Use((context, next) =>
            {
                context.Request.EnableBuffering();
                return next(context);
            });
            app.MapMcp("/mcp");
        });
        var calendarId = new string('p', length);

        using var response = await DeleteAsync(server, calendarId, chunked: false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("deleted from " + calendarId, (string?)(await RawMcp.ReadMessageAsync(response))["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("delete_event"));
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(10, true)]
    [InlineData(100_000, false)]
    [InlineData(100_000, true)]
    public async Task After_the_MCP_server_answered_the_request_body_is_the_original_stream_again(int length, bool buffered)
    {
        var sameStream = new List<bool>();
        var readAfterwards = new List<string>();
        var server = await StartAsync(map: app =>
        {
            app.Use(async (context, next) =>
            {
                if (buffered)
                {
                    context.Request.EnableBuffering();
                }

                var body = context.Request.Body;
                await next(context);
                lock (sameStream)
                {
                    sameStream.Add(ReferenceEquals(body, context.Request.Body));
                }

                if (buffered)
                {
                    // What a logging middleware would do: rewind the buffered body and read it whole.
                    context.Request.Body.Position = 0;
                    using var text = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
                    var read = await text.ReadToEndAsync();
                    lock (readAfterwards)
                    {
                        readAfterwards.Add(read);
                    }
                }
            });
            app.MapMcp("/mcp");
        });
        var calendarId = new string('p', length);

        using var response = await DeleteAsync(server, calendarId, chunked: false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("deleted from " + calendarId, (string?)(await RawMcp.ReadMessageAsync(response))["result"]!["content"]![0]!["text"]);
        Assert.True(Assert.Single(sameStream));
        if (buffered)
        {
            Assert.Equal(DeleteBody(calendarId), Assert.Single(readAfterwards));
        }
    }
}
