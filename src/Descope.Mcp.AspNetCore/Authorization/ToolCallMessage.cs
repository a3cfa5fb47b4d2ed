using System.Text;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// What the scope gate needs from a JSON-RPC request body: whether it is a <c>tools/call</c>, for which tool, and its
/// <c>id</c>. The body is read the way an attacker might hope the gate and the MCP SDK would disagree on, so anything
/// ambiguous is refused instead of guessed: batches, duplicate members (compared ignoring case, so <c>Method</c> next to
/// <c>method</c> counts), trailing data, invalid UTF-8. A method is a tool call when it equals <c>tools/call</c>
/// ignoring case, which covers every reading the SDK could make of it.
/// </summary>
internal readonly struct ToolCallMessage
{
    private const int MaxDepth = 64;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private ToolCallMessage(bool isToolCall, string? toolName, Range id, string? error)
    {
        IsToolCall = isToolCall;
        ToolName = toolName;
        Id = id;
        Error = error;
    }

    /// <summary>The method is <c>tools/call</c> (in any letter case) and the tool is named.</summary>
    public bool IsToolCall { get; }

    /// <summary><c>params.name</c> of a tool call.</summary>
    public string? ToolName { get; }

    /// <summary>Where the raw JSON of <c>id</c> sits in the body; empty for a notification.</summary>
    public Range Id { get; }

    /// <summary>Why the body was refused, or <see langword="null"/>.</summary>
    public string? Error { get; }

    public static ToolCallMessage Parse(ReadOnlySpan<byte> body)
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

    private static ToolCallMessage ParseObject(ReadOnlySpan<byte> json, int offset)
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
        var isToolCall = false;
        string? toolName = null;
        var toolNameError = false;
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
                case Member.Method:
                    isToolCall = reader.TokenType == JsonTokenType.String && EqualsIgnoreCase(ref reader, "tools/call");
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        return Refuse("The JSON-RPC method is not a string.");
                    }

                    break;
                case Member.Params when reader.TokenType == JsonTokenType.StartObject:
                    if (!ReadToolName(ref reader, out toolName, out toolNameError))
                    {
                        return Refuse("The request repeats a parameter.");
                    }

                    break;
                case Member.Id:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    id = new Range(offset + start, offset + (int)reader.BytesConsumed);
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

        if (!isToolCall)
        {
            return default;
        }

        return toolName is null || toolNameError
            ? Refuse("The tools/call request does not name a tool.")
            : new ToolCallMessage(isToolCall: true, toolName, id, error: null);
    }

    /// <summary>Reads <c>params</c> up to its end, taking <c>name</c>; false when a member it cares about repeats.</summary>
    private static bool ReadToolName(ref Utf8JsonReader reader, out string? name, out bool nameIsNotString)
    {
        name = null;
        nameIsNotString = false;
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
            if (member == Member.Name && reader.TokenType == JsonTokenType.String)
            {
                name = reader.GetString();
            }
            else
            {
                nameIsNotString |= member == Member.Name;
                reader.Skip();
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

    private static ToolCallMessage Refuse(string error) => new(isToolCall: false, toolName: null, default, error);

    private static readonly (string, Member)[] TopLevelMembers =
        [("jsonrpc", Member.JsonRpc), ("method", Member.Method), ("params", Member.Params), ("id", Member.Id)];

    private static readonly (string, Member)[] ParamsMembers = [("name", Member.Name)];

    [Flags]
    private enum Member
    {
        None = 0,
        JsonRpc = 1,
        Method = 2,
        Params = 4,
        Id = 8,
        Name = 16,
    }
}
