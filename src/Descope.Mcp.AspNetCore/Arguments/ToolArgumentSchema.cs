using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Gate;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Arguments;

/// <summary>
/// A tool's input schema (what clients see in <c>tools/list</c>), compiled once into a check of a call's arguments, so an
/// <see cref="IArgumentScopeRule"/> judges the value the tool receives. The MCP SDK binds leniently (numbers from strings,
/// enums from numbers and any letter case, members matched ignoring case, the last of a repeated member), so arguments are
/// held to the schema strictly: the JSON kind its <c>type</c> names (an integer written without fraction or exponent),
/// exactly one of its <c>enum</c> values, members named exactly as declared, each once, none undeclared, every
/// <c>required</c> one present. Omitted members the schema gives a <c>default</c> are filled in, as the tool receives them.
/// A prompt's arguments are held the same way to its argument list (<see cref="PromptArgumentSchema"/>).
/// </summary>
/// <remarks>
/// A construct the check cannot judge (<c>anyOf</c>, <c>allOf</c>, <c>oneOf</c>, <c>not</c>, conditionals, tuples, a
/// <c>$ref</c> outside the schema) refuses any value at its place rather than letting it through unjudged. Keywords the
/// SDK's binder does not loosen (<c>description</c>, <c>format</c>, lengths, bounds) are not checked: the tool meets them
/// as it would anyway. Refusals name the argument's path from the schema's own names and never a value sent.
/// </remarks>
internal sealed class ToolArgumentSchema
{
    private static readonly ConditionalWeakTable<IMcpServerPrimitive, ToolArgumentSchema> Compiled = [];

    // Applicators whose meaning this check does not implement: a value under one is refused, never waved through.
    private static readonly HashSet<string> Unjudgeable = new(StringComparer.Ordinal)
    {
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "prefixItems", "patternProperties", "dependentSchemas",
        "propertyNames", "contains", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef",
    };

    private readonly Node _root;
    private readonly McpPrimitiveKind _kind;

    private ToolArgumentSchema(Node root, McpPrimitiveKind kind)
    {
        _root = root;
        _kind = kind;
    }

    /// <summary>The compiled schema of a tool, compiled on first use and kept as long as the tool.</summary>
    public static ToolArgumentSchema For(McpServerTool tool) =>
        Compiled.TryGetValue(tool, out var known)
            ? known
            : Compiled.GetValue(tool, static t => Compile(((McpServerTool)t).ProtocolTool.InputSchema));

    /// <summary>The compiled argument list of a prompt, compiled on first use and kept as long as the prompt.</summary>
    public static ToolArgumentSchema For(McpServerPrompt prompt) =>
        Compiled.TryGetValue(prompt, out var known)
            ? known
            : Compiled.GetValue(prompt, static p => Compile(PromptArgumentSchema.Of((McpServerPrompt)p), McpPrimitiveKind.Prompt));

    /// <summary>Compiles a JSON Schema of a tool's (or a prompt's) arguments.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="kind">Whose arguments it describes, as refusals name it.</param>
    public static ToolArgumentSchema Compile(JsonElement schema, McpPrimitiveKind kind = McpPrimitiveKind.Tool)
    {
        var root = schema.Clone();
        return new(new Compiler(root).Compile(root, "#"), kind);
    }

    /// <summary>What the arguments are held to, as refusals name it.</summary>
    private string SchemaName => _kind == McpPrimitiveKind.Prompt ? "the prompt's argument list" : "the tool's input schema";

    /// <summary>
    /// Checks a call's arguments; when they conform, <paramref name="conforming"/> is what the tool receives (the arguments
    /// with every omitted default filled in), otherwise <paramref name="error"/> says which argument is wrong and how.
    /// </summary>
    public bool TryConform(JsonElement arguments, out JsonElement conforming, [NotNullWhen(false)] out string? error)
    {
        var needsDefaults = false;
        if (Check(arguments, _root, ref needsDefaults) is { } failure)
        {
            conforming = default;
            error = failure.Describe();
            return false;
        }

        conforming = needsDefaults ? WithDefaults(arguments, _root) : arguments;
        error = null;
        return true;
    }

    private Failure? Check(JsonElement value, Node node, ref bool needsDefaults)
    {
        if (ReferenceEquals(node, Node.Anything))
        {
            return null;
        }

        if (node.Unjudgeable)
        {
            return new Failure($"uses a schema construct the server cannot check before the {_kind.Name()}'s argument rules run.");
        }

        var kind = KindOf(value);
        if (node.Types != JsonTypes.Any && (node.Types & kind) == 0 && !(kind == JsonTypes.Integer && (node.Types & JsonTypes.Number) != 0))
        {
            return new Failure("must be " + Describe(node.Types) + ".");
        }

        if (node.Enum is { Length: 0 })
        {
            return new Failure("is not allowed.");
        }

        if (node.Enum is { } allowed && !allowed.Any(candidate => JsonElement.DeepEquals(candidate, value)))
        {
            return new Failure($"must be one of the values {SchemaName} lists.");
        }

        return kind switch
        {
            JsonTypes.Object => CheckObject(value, node, ref needsDefaults),
            JsonTypes.Array when node.Items is { } items => CheckItems(value, items, ref needsDefaults),
            _ => null,
        };
    }

    private Failure? CheckObject(JsonElement value, Node node, ref bool needsDefaults)
    {
        // Where members are declared the binder matches them ignoring case, so a repeat is judged ignoring case too; a
        // dictionary keeps keys as written and only an exact repeat is ambiguous.
        var seen = new HashSet<string>(node.Properties is null ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        foreach (var member in value.EnumerateObject())
        {
            var name = member.Name;
            var declared = node.Properties?.GetValueOrDefault(name);
            var spelled = declared is null ? node.DeclaredNames?.GetValueOrDefault(name) : name;
            if (!seen.Add(name))
            {
                return spelled is null ? new Failure("has a member given more than once.") : new Failure("is given more than once.").At("." + spelled);
            }

            if (declared is not null)
            {
                if (Check(member.Value, declared.Schema, ref needsDefaults) is { } failure)
                {
                    return failure.At("." + name);
                }
            }
            else if (spelled is not null)
            {
                return new Failure($"must be named exactly as {SchemaName} spells it.").At("." + spelled);
            }
            else if (node.Closed)
            {
                return new Failure($"has a member {SchemaName} does not declare.");
            }
            else if (node.Additional is { } additional && Check(member.Value, additional, ref needsDefaults) is { } failure)
            {
                return failure.At(".*");
            }
        }

        foreach (var required in node.Required)
        {
            if (!seen.Contains(required))
            {
                return new Failure("is required.").At("." + required);
            }
        }

        if (node.Properties is { } properties && !needsDefaults)
        {
            foreach (var (name, property) in properties)
            {
                if (property.Default is not null && !seen.Contains(name))
                {
                    needsDefaults = true;
                    break;
                }
            }
        }

        return null;
    }

    private Failure? CheckItems(JsonElement value, Node items, ref bool needsDefaults)
    {
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (Check(item, items, ref needsDefaults) is { } failure)
            {
                return failure.At("[" + index + "]");
            }

            index++;
        }

        return null;
    }

    /// <summary>Conforming arguments with the defaults of omitted members filled in, at every level.</summary>
    private static JsonElement WithDefaults(JsonElement arguments, Node root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteWithDefaults(writer, arguments, root);
        }

        return JsonElement.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void WriteWithDefaults(Utf8JsonWriter writer, JsonElement value, Node node)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when node.Properties is { } properties:
                writer.WriteStartObject();
                foreach (var member in value.EnumerateObject())
                {
                    writer.WritePropertyName(member.Name);
                    if (properties.TryGetValue(member.Name, out var property))
                    {
                        WriteWithDefaults(writer, member.Value, property.Schema);
                    }
                    else
                    {
                        member.Value.WriteTo(writer);
                    }
                }

                foreach (var (name, property) in properties)
                {
                    if (property.Default is { } fallback && !value.TryGetProperty(name, out _))
                    {
                        writer.WritePropertyName(name);
                        fallback.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array when node.Items is { } items:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteWithDefaults(writer, item, items);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static JsonTypes KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => JsonTypes.Null,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        JsonValueKind.Number => IsIntegerLiteral(value) ? JsonTypes.Integer : JsonTypes.Number,
        JsonValueKind.String => JsonTypes.String,
        JsonValueKind.Object => JsonTypes.Object,
        _ => JsonTypes.Array,
    };

    /// <summary>An integer as the binder reads one: digits only, no fraction and no exponent (5000, never 5000.0 or 5e3).</summary>
    private static bool IsIntegerLiteral(JsonElement number) => JsonMarshal.GetRawUtf8Value(number).IndexOfAny(".eE"u8) < 0;

    private static string Describe(JsonTypes types) =>
        string.Join(" or ", Types.Where(t => (types & t.Type) != 0).Select(t => t.Described));

    private static readonly (JsonTypes Type, string Name, string Described)[] Types =
    [
        (JsonTypes.Boolean, "boolean", "true or false"),
        (JsonTypes.Integer, "integer", "an integer"),
        (JsonTypes.Number, "number", "a number"),
        (JsonTypes.String, "string", "a string"),
        (JsonTypes.Object, "object", "an object"),
        (JsonTypes.Array, "array", "an array"),
        (JsonTypes.Null, "null", "null"),
    ];

    [Flags]
    private enum JsonTypes
    {
        Any = 0,
        Null = 1,
        Boolean = 2,
        Integer = 4,
        Number = 8,
        String = 16,
        Object = 32,
        Array = 64,
    }

    /// <summary>One schema, compiled; filled in after it is registered, so a <c>$ref</c> cycle finds it.</summary>
    private sealed class Node
    {
        public static readonly Node Anything = new();

        /// <summary>The JSON kinds allowed; <see cref="JsonTypes.Any"/> when the schema names none.</summary>
        public JsonTypes Types { get; set; }

        public JsonElement[]? Enum { get; set; }

        /// <summary>Declared members by their exact name; <see langword="null"/> when the schema declares none.</summary>
        public Dictionary<string, Property>? Properties { get; set; }

        /// <summary>Declared member names looked up ignoring case, to recognise a member spelled in another case.</summary>
        public Dictionary<string, string>? DeclaredNames { get; set; }

        public string[] Required { get; set; } = [];

        /// <summary>The schema of undeclared members; <see langword="null"/> when it does not constrain them.</summary>
        public Node? Additional { get; set; }

        /// <summary>Whether undeclared members are refused.</summary>
        public bool Closed { get; set; }

        public Node? Items { get; set; }

        public bool Unjudgeable { get; set; }
    }

    private sealed record Property(Node Schema, JsonElement? Default);

    private sealed class Failure(string reason)
    {
        private readonly List<string> _path = [];

        /// <summary>Adds the segment of the enclosing level, as the failure travels up from where it happened.</summary>
        public Failure At(string segment)
        {
            _path.Add(segment);
            return this;
        }

        public string Describe()
        {
            var text = new StringBuilder("arguments");
            for (var i = _path.Count - 1; i >= 0; i--)
            {
                text.Append(_path[i]);
            }

            return text.Append(' ').Append(reason).ToString();
        }
    }

    private sealed class Compiler(JsonElement root)
    {
        private static readonly Node Never = new() { Enum = [] };

        private readonly Dictionary<string, Node> _byPointer = new(StringComparer.Ordinal);

        public Node Compile(JsonElement schema, string pointer)
        {
            switch (schema.ValueKind)
            {
                case JsonValueKind.True:
                    return Node.Anything;
                case JsonValueKind.False:
                    return Never;
                case JsonValueKind.Object:
                    break;
                default:
                    return new Node { Unjudgeable = true };
            }

            if (_byPointer.TryGetValue(pointer, out var known))
            {
                return known;
            }

            if (schema.TryGetProperty("$ref", out var reference))
            {
                // Until the target is compiled, a reference back to this one (a cycle of references) refuses.
                _byPointer[pointer] = new Node { Unjudgeable = true };
                var target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : string.Empty;
                var resolved = Resolve(target) is { } targetSchema ? Compile(targetSchema, target) : new Node { Unjudgeable = true };
                _byPointer[pointer] = resolved;
                return resolved;
            }

            var node = new Node();
            _byPointer[pointer] = node;

            foreach (var keyword in schema.EnumerateObject())
            {
                if (Unjudgeable.Contains(keyword.Name))
                {
                    return Unjudged(node);
                }
            }

            if (schema.TryGetProperty("type", out var type))
            {
                if (!TryReadTypes(type, out var types))
                {
                    return Unjudged(node);
                }

                node.Types = types;
            }

            if (schema.TryGetProperty("enum", out var values))
            {
                node.Enum = values.ValueKind == JsonValueKind.Array ? [.. values.EnumerateArray()] : null;
                if (node.Enum is null)
                {
                    return Unjudged(node);
                }
            }

            if (schema.TryGetProperty("const", out var constant))
            {
                node.Enum = [.. node.Enum?.Where(value => JsonElement.DeepEquals(value, constant)) ?? [constant]];
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                if (properties.ValueKind != JsonValueKind.Object)
                {
                    return Unjudged(node);
                }

                node.Properties = new Dictionary<string, Property>(StringComparer.Ordinal);
                node.DeclaredNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in properties.EnumerateObject())
                {
                    var compiled = Compile(property.Value, pointer + "/properties/" + Escape(property.Name));
                    JsonElement? fallback = property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("default", out var d) ? d : null;
                    node.Properties[property.Name] = new Property(compiled, fallback);

                    // Two declared names that differ only in case: each must then be spelled exactly, as it already must.
                    node.DeclaredNames.TryAdd(property.Name, property.Name);
                }

                // Undeclared members never reach the tool; a rule must not judge them either.
                node.Closed = true;
            }

            if (schema.TryGetProperty("additionalProperties", out var additional))
            {
                node.Closed = additional.ValueKind == JsonValueKind.False;
                node.Additional = node.Closed ? null : Compile(additional, pointer + "/additionalProperties");
            }

            if (schema.TryGetProperty("required", out var required))
            {
                if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(name => name.ValueKind != JsonValueKind.String))
                {
                    return Unjudged(node);
                }

                node.Required = [.. required.EnumerateArray().Select(name => name.GetString()!)];
            }

            if (schema.TryGetProperty("items", out var items))
            {
                if (items.ValueKind == JsonValueKind.Array)
                {
                    return Unjudged(node);
                }

                node.Items = Compile(items, pointer + "/items");
            }

            return node;
        }

        private static Node Unjudged(Node node)
        {
            node.Unjudgeable = true;
            return node;
        }

        private static bool TryReadTypes(JsonElement type, out JsonTypes types)
        {
            types = JsonTypes.Any;
            if (type.ValueKind == JsonValueKind.String)
            {
                return TryAdd(type.GetString(), ref types);
            }

            if (type.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var name in type.EnumerateArray())
            {
                if (name.ValueKind != JsonValueKind.String || !TryAdd(name.GetString(), ref types))
                {
                    return false;
                }
            }

            return types != JsonTypes.Any;

            static bool TryAdd(string? name, ref JsonTypes types)
            {
                foreach (var (type, typeName, _) in ToolArgumentSchema.Types)
                {
                    if (string.Equals(name, typeName, StringComparison.Ordinal))
                    {
                        types |= type;
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>The schema a local JSON pointer (<c>#/properties/x</c>) names; <see langword="null"/> for any other reference.</summary>
        private JsonElement? Resolve(string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                return null;
            }

            var current = root;
            foreach (var segment in reference[2..].Split('/'))
            {
                var name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var next))
                {
                    current = next;
                }
                else
                {
                    return null;
                }
            }

            return current;
        }

        private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }
}
