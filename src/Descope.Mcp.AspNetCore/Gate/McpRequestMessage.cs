using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// What the authorization gate needs from a JSON-RPC request body: whether it uses a primitive (one of
/// <see cref="GatedMethods"/>), which one, where the tool's arguments are, and its <c>id</c>. The body is read the way an
/// attacker might hope the gate and the MCP SDK would disagree on, so anything ambiguous is refused instead of guessed:
/// batches, duplicate members (compared ignoring case, so <c>Method</c> next to <c>method</c> counts), trailing data,
/// invalid UTF-8, a missing <c>jsonrpc</c>, an <c>id</c> JSON-RPC does not allow. A method (and a completion reference's
/// <c>type</c>) names a primitive when it equals one ignoring case, which covers every reading the SDK could make of it.
/// A well-formed request of a gated method that does not say which primitive it uses is refused too, but as invalid
/// params of that request (<see cref="InvalidParams"/>), keeping its method and <c>id</c>.
/// </summary>
internal readonly struct McpRequestMessage
{
    private const int MaxDepth = 64;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private const string CompletionMethod = "completion/complete";

    /// <summary>
    /// The methods that use a primitive, with the kind each uses: <c>completion/complete</c> uses the prompt or resource its
    /// <c>params.ref</c> names.
    /// </summary>
    private static readonly (string Method, McpPrimitiveKind? Kind)[] PrimitiveMethods =
    [
        ("tools/call", McpPrimitiveKind.Tool),
        ("prompts/get", McpPrimitiveKind.Prompt),
        ("resources/read", McpPrimitiveKind.Resource),
        ("resources/subscribe", McpPrimitiveKind.Resource),
        ("resources/unsubscribe", McpPrimitiveKind.Resource),
        (CompletionMethod, null),
    ];

    /// <summary>Every method whose request the gate judges.</summary>
    public static readonly string[] GatedMethods = [.. PrimitiveMethods.Select(m => m.Method)];

    /// <summary>The handshake of protocols before 2026-07-28, which opens a session on a server that keeps them.</summary>
    public const string InitializeMethod = "initialize";

    /// <summary>What <see cref="OpenMethod"/> is for a notification.</summary>
    public const string NotificationPrefix = "notifications/";

    /// <summary>
    /// The methods that use no primitive and show no more than a list does: the handshake (<c>server/discover</c> on
    /// 2026-07-28), <c>ping</c> and the lists. Matched exactly, as the SDK dispatches them; so are notifications, by prefix.
    /// </summary>
    private static readonly string[] OpenMethods =
        [InitializeMethod, "server/discover", "ping", "tools/list", "prompts/list", "resources/list", "resources/templates/list"];

    private McpRequestMessage(
        string? method, McpPrimitiveKind? kind, string? target, Range id, Range arguments, string? error, bool exactMethod = false, bool invalidParams = false,
        string? openMethod = null)
    {
        Method = method;
        Kind = kind;
        Target = target;
        Id = id;
        Arguments = arguments;
        Error = error;
        IsMethodExact = exactMethod;
        InvalidParams = invalidParams;
        OpenMethod = openMethod;
    }

    /// <summary>
    /// The method (as <see cref="GatedMethods"/> spells it) when the request uses a primitive, or is refused as
    /// <see cref="InvalidParams"/>.
    /// </summary>
    public string? Method { get; }

    /// <summary>
    /// Whether the body spells <see cref="Method"/> exactly so once unescaped: the SDK compares methods ordinally, so only
    /// then does it take the request for that method.
    /// </summary>
    public bool IsMethodExact { get; }

    /// <summary>The kind of primitive the request uses, or <see langword="null"/> for any other message.</summary>
    public McpPrimitiveKind? Kind { get; }

    /// <summary>
    /// The tool or prompt name (<c>params.name</c>) or resource URI (<c>params.uri</c>); for a completion, the name or URI
    /// in <c>params.ref</c>, where a resource's may be its URI template.
    /// </summary>
    public string? Target { get; }

    /// <summary>Whether the target comes from a completion reference, which may name a resource template by its template.</summary>
    public bool IsReference => string.Equals(Method, CompletionMethod, StringComparison.Ordinal);

    /// <summary>Where the raw JSON of <c>id</c> sits in the body; empty for a notification.</summary>
    public Range Id { get; }

    /// <summary>Where the raw JSON of <c>params.arguments</c> sits in the body; empty when absent.</summary>
    public Range Arguments { get; }

    /// <summary>Why the body was refused, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>
    /// Whether <see cref="Error"/> is about the parameters of an otherwise well-formed request of <see cref="Method"/> (a
    /// missing or unusable <c>name</c>, <c>uri</c> or <c>ref</c>): JSON-RPC invalid params, answered with the request's
    /// <see cref="Id"/>. Otherwise the body itself could not be read as one unambiguous request.
    /// </summary>
    public bool InvalidParams { get; }

    /// <summary>
    /// The method when the message is a request of one of <see cref="OpenMethods"/>, or <see cref="NotificationPrefix"/> for
    /// a notification: what a caller without credentials may send when public primitives are on. <see langword="null"/> for
    /// anything else, a JSON-RPC response included.
    /// </summary>
    public string? OpenMethod { get; }

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
        int? method = null;
        var exactMethod = false;
        string? openMethod = null;
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

                    // A method too long to be a gated one is compared without unescaping; see Skip.
                    CheckEscapes(ref reader);
                    method = reader.TokenType == JsonTokenType.String ? PrimitiveMethod(ref reader) : null;
                    exactMethod = method is { } found && reader.ValueTextEquals(PrimitiveMethods[found].Method);
                    openMethod = method is null && reader.TokenType == JsonTokenType.String ? Open(ref reader) : null;
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
                    Skip(ref reader);
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

        if (method is not { } index)
        {
            return new McpRequestMessage(null, null, null, id, default, null, openMethod: openMethod);
        }

        var (name, kind) = PrimitiveMethods[index];
        if (kind is null)
        {
            return Completion(name, exactMethod, parameters.Reference, id);
        }

        var target = kind == McpPrimitiveKind.Resource ? parameters.Uri : parameters.Name;
        return target is null
            ? RefuseParams(name, exactMethod, id, $"The {name} request does not name a {kind.Value.Name()}.")
            : new McpRequestMessage(name, kind, target, id, kind == McpPrimitiveKind.Resource ? default : parameters.Arguments, null, exactMethod);
    }

    /// <summary>A completion uses the prompt or resource its reference names; a reference of another shape is refused.</summary>
    private static McpRequestMessage Completion(string method, bool exactMethod, Reference reference, Range id)
    {
        McpPrimitiveKind? kind = reference.Type switch
        {
            ReferenceType.Prompt => McpPrimitiveKind.Prompt,
            ReferenceType.Resource => McpPrimitiveKind.Resource,
            _ => null,
        };
        if (kind is not { } referenced)
        {
            return RefuseParams(method, exactMethod, id, reference.Type == ReferenceType.None
                ? "The completion/complete request does not name a prompt or resource."
                : "The completion/complete reference is neither ref/prompt nor ref/resource.");
        }

        var target = referenced == McpPrimitiveKind.Resource ? reference.Uri : reference.Name;
        return target is null
            ? RefuseParams(method, exactMethod, id, $"The completion/complete reference does not name a {referenced.Name()}.")
            : new McpRequestMessage(method, referenced, target, id, default, null, exactMethod);
    }

    private static int? PrimitiveMethod(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < PrimitiveMethods.Length; i++)
        {
            if (EqualsIgnoreCase(ref reader, PrimitiveMethods[i].Method))
            {
                return i;
            }
        }

        return null;
    }

    private static string? Open(ref Utf8JsonReader reader)
    {
        foreach (var open in OpenMethods)
        {
            if (reader.ValueTextEquals(open))
            {
                return open;
            }
        }

        var notification = reader.ValueIsEscaped
            ? reader.GetString()!.StartsWith(NotificationPrefix, StringComparison.Ordinal)
            : reader.ValueSpan.StartsWith("notifications/"u8);
        return notification ? NotificationPrefix : null;
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
                    Skip(ref reader);
                    parameters.Arguments = new Range(offset + start, offset + (int)reader.BytesConsumed);
                    break;
                case Member.Ref when reader.TokenType == JsonTokenType.StartObject:
                    if (!ReadReference(ref reader, out parameters.Reference))
                    {
                        return false;
                    }

                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return true;
    }

    /// <summary>Reads a completion's <c>params.ref</c> up to its end; false when a member it cares about repeats.</summary>
    private static bool ReadReference(ref Utf8JsonReader reader, out Reference reference)
    {
        // An object without a usable type is still a reference, so the refusal can say what is wrong with it.
        reference = new Reference { Type = ReferenceType.Other };
        var seen = Member.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Classify(ref reader, ReferenceMembers);
            if (member != Member.None && (seen & member) != 0)
            {
                return false;
            }

            seen |= member;
            reader.Read();
            switch (member)
            {
                case Member.Type when reader.TokenType == JsonTokenType.String:
                    reference.Type = EqualsIgnoreCase(ref reader, "ref/prompt") ? ReferenceType.Prompt
                        : EqualsIgnoreCase(ref reader, "ref/resource") ? ReferenceType.Resource
                        : ReferenceType.Other;
                    break;
                case Member.Name when reader.TokenType == JsonTokenType.String:
                    reference.Name = reader.GetString();
                    break;
                case Member.Uri when reader.TokenType == JsonTokenType.String:
                    reference.Uri = reader.GetString();
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return true;
    }

    /// <summary>
    /// Skips the current value as <see cref="Utf8JsonReader.Skip"/> does, unescaping every escaped string and member name
    /// on the way: the reader lets an escaped lone surrogate through, which the SDK meets when it reads the body and fails
    /// on with a 500. Unescaping throws on it, so the body is refused instead.
    /// </summary>
    private static void Skip(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                CheckEscapes(ref reader);
            }
        }
        else
        {
            CheckEscapes(ref reader);
        }
    }

    private static void CheckEscapes(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            _ = reader.GetString();
        }
    }

    private static Member Classify(ref Utf8JsonReader reader, (string Name, Member Member)[] members)
    {
        // A name that matches nothing is never unescaped below; see Skip.
        CheckEscapes(ref reader);
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

    private static McpRequestMessage Refuse(string error) => new(null, null, null, default, default, error);

    private static McpRequestMessage RefuseParams(string method, bool exactMethod, Range id, string error) =>
        new(method, null, null, id, default, error, exactMethod, invalidParams: true);

    private static readonly (string, Member)[] TopLevelMembers =
        [("jsonrpc", Member.JsonRpc), ("method", Member.Method), ("params", Member.Params), ("id", Member.Id)];

    private static readonly (string, Member)[] ParamsMembers =
        [("name", Member.Name), ("uri", Member.Uri), ("arguments", Member.Arguments), ("ref", Member.Ref)];

    private static readonly (string, Member)[] ReferenceMembers =
        [("type", Member.Type), ("name", Member.Name), ("uri", Member.Uri)];

    private struct Parameters
    {
        public string? Name;
        public string? Uri;
        public Range Arguments;
        public Reference Reference;
    }

    private struct Reference
    {
        public ReferenceType Type;
        public string? Name;
        public string? Uri;
    }

    private enum ReferenceType
    {
        None,
        Prompt,
        Resource,
        Other,
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
        Ref = 128,
        Type = 256,
    }
}
