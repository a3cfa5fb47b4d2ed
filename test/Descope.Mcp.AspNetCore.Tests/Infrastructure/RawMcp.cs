using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Hand-made MCP requests, for what a well-behaved client never sends: disagreeing headers, batches, odd casing, duplicate
/// members. Shaped like the SDK's own requests otherwise, so the SDK would accept them.
/// </summary>
internal static class RawMcp
{
    /// <summary>The stateless revision: method and tool name also in headers, which the SDK checks against the body.</summary>
    public const string Latest = "2026-07-28";

    /// <summary>The last revision with sessions: the method is only in the body.</summary>
    public const string Stateful = "2025-11-25";

    /// <summary>A tools/call body for either revision (the latest one needs the per-request _meta).</summary>
    public static string ToolCallBody(string tool, string protocol = Latest, string method = "tools/call", int id = 1) =>
        Body(method, new JsonObject { ["name"] = tool, ["arguments"] = new JsonObject() }, protocol, id);

    public static string Body(string method, JsonObject parameters, string protocol = Latest, int id = 1)
    {
        if (protocol == Latest)
        {
            parameters["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = Latest,
                ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
            };
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
    }

    /// <summary>A 2026-07-28 tools/call with matching headers unless told otherwise.</summary>
    public static HttpRequestMessage ToolCall(string url, string? token, string tool, string? nameHeader = null, string? body = null) =>
        Post(url, token, body ?? ToolCallBody(tool), Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", nameHeader ?? tool));

    public static HttpRequestMessage Post(string url, string? token, string body, string? protocol, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (protocol is not null)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", protocol);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>Opens a 2025-11-25 session on a stateful server and returns its ID.</summary>
    public static async Task<string> InitializeSessionAsync(HttpClient http, string url, string? token)
    {
        var initialize = Body("initialize", new JsonObject
        {
            ["protocolVersion"] = Stateful,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1.0" },
        }, Stateful);
        using var response = await http.SendAsync(Post(url, token, initialize, protocol: null));
        response.EnsureSuccessStatusCode();
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();

        var initialized = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" }.ToJsonString();
        using var ack = await http.SendAsync(Post(url, token, initialized, Stateful, ("Mcp-Session-Id", sessionId)));
        ack.EnsureSuccessStatusCode();
        return sessionId;
    }

    /// <summary>The JSON-RPC message of a response, whether sent as JSON or as one server-sent event.</summary>
    public static async Task<JsonNode> ReadMessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            text = text.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal)).Select(line => line[5..].Trim()).Last();
        }

        return JsonNode.Parse(text) ?? throw new JsonException("The response has no JSON-RPC message.");
    }
}
