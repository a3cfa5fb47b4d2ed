using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// What the authorization gate needs from a JSON-RPC request body: whether it uses a primitive (<c>tools/call</c>,
/// <c>prompts/get</c>, <c>resources/read</c>), which one, where the tool's arguments are, and its <c>id</c>. The body is
/// read the way an attacker might hope the gate and the MCP SDK would disagree on, so anything ambiguous is refused
/// instead of guessed: batches, duplicate members (compared ignoring case, so <c>Method</c> next to <c>method</c>
/// counts), trailing data, invalid UTF-8, a missing <c>jsonrpc</c>, an <c>id</c> JSON-RPC does not allow. A method
/// names a primitive when it equals one of the three ignoring case, which covers every reading the SDK could make of it.
/// </summary>
internal readonly struct McpRequestMessage
{
    private const int MaxDepth = 64;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private static readonly (string Method, McpPrimitiveKind Kind)[] PrimitiveMethods =
        [("tools/call", McpPrimitiveKind.Tool), ("prompts/get", McpPrimitiveKind.Prompt), ("resources/read", McpPrimitiveKind.Resource)];

    private McpRequestMessage(McpPrimitiveKind? kind, string? target, Range id, Range arguments, string? error)
    {
        Kind = kind;
        Target = target;
        Id = id;
        Arguments = arguments;
        Error = error;
    }

    /// <summary>The kind of primitive the request uses, or <see langword="null"/> for any other message.</summary>
    public McpPrimitiveKind? Kind { get; }

    /// <summary>The tool or prompt name (<c>params.name</c>) or resource URI (<c>params.uri</c>).</summary>
    public string? Target { get; }

    /// <summary>Where the raw JSON of <c>id</c> sits in the body; empty for a notification.</summary>
    public Range Id { get; }

    /// <summary>Where the raw JSON of <c>params.arguments</c> sits in the body; empty when absent.</summary>
    public Range Arguments { get; }

    /// <summary>Why the body was refused, or <see langword="null"/>.</summary>
    public string? Error { get; }

    public static McpRequestMessage Parse(ReadOnlySpan<byte> body)
    {
        var offset = body.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        try
        {
            return ParseObject(body[offset..], offset);
        }
        catch (JsonException)
        {
            return Refuse("The request body is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader reports invalid UTF-8 inside strings this way.
            return Refuse("The request body is not valid UTF-8 JSON.");
        }
    }

    private static McpRequestMessage ParseObject(ReadOnlySpan<byte> json, int offset)
    {
        if (json.IsEmpty)
        {
            return Refuse("The request body is empty.");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();

        if (reader.TokenType == JsonTokenType.StartArray)
        {
            return Refuse("JSON-RPC batches are not supported.");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Refuse("The request body is not a JSON-RPC message.");
        }

        var seen = Member.None;
        McpPrimitiveKind? kind = null;
        var parameters = default(Parameters);
        Range id = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Classify(ref reader, TopLevelMembers);
            if (member != Member.None && (seen & member) != 0)
            {
                return Refuse("The request repeats a JSON-RPC member.");
            }

            seen |= member;
            reader.Read();
            switch (member)
            {
                case Member.JsonRpc:
                    if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("2.0"u8))
                    {
                        return Refuse("The request is not JSON-RPC 2.0.");
                    }

                    break;
                case Member.Method:
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        return Refuse("The JSON-RPC method is not a string.");
                    }

                    kind = reader.TokenType == JsonTokenType.String ? PrimitiveKind(ref reader) : null;
                    break;
                case Member.Params when reader.TokenType == JsonTokenType.StartObject:
                    if (!ReadParameters(ref reader, offset, out parameters))
                    {
                        return Refuse("The request repeats a parameter.");
                    }

                    break;
                case Member.Id:
                    if (!IsAllowedId(ref reader))
                    {
                        return Refuse("The JSON-RPC id must be a string, a number or null.");
                    }

                    id = new Range(offset + (int)reader.TokenStartIndex, offset + (int)reader.BytesConsumed);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return Refuse("The request body holds more than one JSON value.");
        }

        if ((seen & Member.JsonRpc) == 0)
        {
            return Refuse("The request is not JSON-RPC 2.0.");
        }

        return kind switch
        {
            null => new McpRequestMessage(null, null, id, default, null),
            McpPrimitiveKind.Resource when parameters.Uri is { } uri => new McpRequestMessage(kind, uri, id, default, null),
            McpPrimitiveKind.Resource => Refuse("The resources/read request does not name a resource."),
            _ when parameters.Name is { } name => new McpRequestMessage(kind, name, id, parameters.Arguments, null),
            McpPrimitiveKind.Tool => Refuse("The tools/call request does not name a tool."),
            _ => Refuse("The prompts/get request does not name a prompt."),
        };
    }

    private static McpPrimitiveKind? PrimitiveKind(ref Utf8JsonReader reader)
    {
        foreach (var (method, kind) in PrimitiveMethods)
        {
            if (EqualsIgnoreCase(ref reader, method))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>
    /// JSON-RPC ids are strings, numbers or null; a string must be valid UTF-8, because refusals copy the id back.
    /// </summary>
    private static bool IsAllowedId(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number or JsonTokenType.Null:
                return true;
            case JsonTokenType.String when reader.ValueIsEscaped:
                // Unescaping checks the escapes and the bytes between them; it throws on invalid UTF-8 or a lone surrogate.
                _ = reader.GetString();
                return true;
            case JsonTokenType.String:
                return Utf8.IsValid(reader.ValueSpan);
            default:
                return false;
        }
    }

    /// <summary>Reads <c>params</c> up to its end; false when a member it cares about repeats.</summary>
    private static bool ReadParameters(ref Utf8JsonReader reader, int offset, out Parameters parameters)
    {
        parameters = default;
        var seen = Member.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Classify(ref reader, ParamsMembers);
            if (member != Member.None && (seen & member) != 0)
            {
                return false;
            }

            seen |= member;
            reader.Read();
            switch (member)
            {
                case Member.Name when reader.TokenType == JsonTokenType.String:
                    parameters.Name = reader.GetString();
                    break;
                case Member.Uri when reader.TokenType == JsonTokenType.String:
                    parameters.Uri = reader.GetString();
                    break;
                case Member.Arguments:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    parameters.Arguments = new Range(offset + start, offset + (int)reader.BytesConsumed);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return true;
    }

    private static Member Classify(ref Utf8JsonReader reader, (string Name, Member Member)[] members)
    {
        foreach (var (name, member) in members)
        {
            if (EqualsIgnoreCase(ref reader, name))
            {
                return member;
            }
        }

        return Member.None;
    }

    /// <summary>Compares the current string or property name, unescaped, with an ASCII constant, ignoring case.</summary>
    private static bool EqualsIgnoreCase(ref Utf8JsonReader reader, string expected)
    {
        if (!reader.ValueIsEscaped)
        {
            return Ascii.EqualsIgnoreCase(reader.ValueSpan, expected);
        }

        // An escaped form is at most six bytes per character; anything longer cannot be the constant.
        if (reader.ValueSpan.Length > expected.Length * 6)
        {
            return false;
        }

        Span<char> unescaped = stackalloc char[expected.Length * 6];
        var length = reader.CopyString(unescaped);
        return unescaped[..length].Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private static McpRequestMessage Refuse(string error) => new(null, null, default, default, error);

    private static readonly (string, Member)[] TopLevelMembers =
        [("jsonrpc", Member.JsonRpc), ("method", Member.Method), ("params", Member.Params), ("id", Member.Id)];

    private static readonly (string, Member)[] ParamsMembers =
        [("name", Member.Name), ("uri", Member.Uri), ("arguments", Member.Arguments)];

    private struct Parameters
    {
        public string? Name;
        public string? Uri;
        public Range Arguments;
    }

    [Flags]
    private enum Member
    {
        None = 0,
        JsonRpc = 1,
        Method = 2,
        Params = 4,
        Id = 8,
        Name = 16,
        Uri = 32,
        Arguments = 64,
    }
}
