using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Mutated MCP POSTs from a seeded random source: bodies derived from calls of a scoped tool, completions and subscriptions
/// (flipped, inserted, deleted, repeated and re-cased bytes, swapped JSON tokens), with content types, Mcp-Method, Mcp-Name and protocol headers
/// drawn from what clients and attackers send. The same seed always yields the same requests.
/// </summary>
internal sealed class McpRequestFuzzer(Random random)
{
    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", "application/json; charset=utf-7",
        "application/json; charset=utf-16", "application/json; charset=nonsense", "text/plain", "application/vnd.api+json", "", null,
    ];

    private static readonly string?[] Methods =
    [
        "tools/call", "tools/call", "TOOLS/CALL", "tools/list", "ping", "prompts/get", "resources/read", "resources/subscribe",
        "resources/unsubscribe", "completion/complete", "", null,
    ];

    private static readonly string?[] Names = ["create_event", "create_event", "list_events", "ping", "Create_Event", "", null];

    private static readonly string?[] Protocols = ["2026-07-28", "2025-11-25", "2099-01-01", "garbage", null];

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "1e309", "-0", "\"id\":{}", "\"id\":[]",
        "\"method\":\"tools/call\"", "\"name\":\"create_event\"", "\"jsonrpc\":\"2.0\"", "\"params\":{}", "\"arguments\":[1]",
        "\"method\":\"completion/complete\"", "\"ref\":{}", "\"type\":\"ref/prompt\"", "\"type\":\"ref/resource\"", "\"uri\":\"calendar://agenda\"",
    ];

    public FuzzedRequest Next(string url, string? token, string protocol, string? sessionId)
    {
        var body = Encoding.UTF8.GetBytes(random.Next(6) switch
        {
            0 => RawMcp.ToolCallBody("list_events", protocol, id: random.Next(1000)),
            1 => RawMcp.Body("completion/complete", new JsonObject
            {
                ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = "create_event" },
                ["argument"] = new JsonObject { ["name"] = "title", ["value"] = "" },
            }, protocol, random.Next(1000)),
            2 => RawMcp.Body(random.Next(2) == 0 ? "resources/subscribe" : "resources/unsubscribe", new JsonObject { ["uri"] = "calendar://agenda" }, protocol, random.Next(1000)),
            _ => RawMcp.ToolCallBody("create_event", protocol, id: random.Next(1000)),
        });
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            body = Mutate(body);
        }

        var headers = new List<(string, string)>();
        if (sessionId is not null)
        {
            headers.Add(("Mcp-Session-Id", sessionId));
        }

        if (Pick(Methods) is { } method)
        {
            headers.Add(("Mcp-Method", method));
        }

        if (Pick(Names) is { } name)
        {
            headers.Add(("Mcp-Name", name));
        }

        var protocolHeader = random.Next(3) == 0 ? Pick(Protocols) : protocol;
        return new FuzzedRequest(url, token, body, Pick(ContentTypes), protocolHeader, [.. headers]);
    }

    private byte[] Mutate(byte[] body)
    {
        var list = body.ToList();
        var at = list.Count == 0 ? 0 : random.Next(list.Count);
        switch (random.Next(7))
        {
            case 0 when list.Count > 0:
                list[at] = (byte)random.Next(256);
                break;
            case 1:
                list.Insert(at, (byte)random.Next(256));
                break;
            case 2 when list.Count > 0:
                list.RemoveRange(at, Math.Min(random.Next(1, 12), list.Count - at));
                break;
            case 3:
                list.InsertRange(at, Encoding.UTF8.GetBytes(Fragments[random.Next(Fragments.Length)]));
                break;
            case 4 when list.Count > 0:
                var length = Math.Min(random.Next(1, 40), list.Count - at);
                list.InsertRange(at, list.GetRange(at, length));
                break;
            case 5 when list.Count > 0:
                list[at] = (byte)(char.IsLower((char)list[at]) ? char.ToUpperInvariant((char)list[at]) : char.ToLowerInvariant((char)list[at]));
                break;
            default:
                list.RemoveRange(at, list.Count - at);
                break;
        }

        return [.. list];
    }

    private string? Pick(string?[] values) => values[random.Next(values.Length)];
}

/// <summary>One fuzzed request, kept as data so it can be sent later and described when it fails.</summary>
internal sealed record FuzzedRequest(string Url, string? Token, byte[] Body, string? ContentType, string? Protocol, (string Name, string Value)[] Headers)
{
    public HttpRequestMessage ToRequest()
    {
        var request = RawMcp.Post(Url, Token, string.Empty, Protocol, Headers);
        request.Content = new ByteArrayContent(Body);
        if (ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }

        return request;
    }

    public override string ToString() =>
        $"Content-Type '{ContentType}', protocol '{Protocol}', headers [{string.Join(", ", Headers.Select(h => h.Name + ": " + h.Value))}], body {Convert.ToBase64String(Body)}";
}
