using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Descope.Mcp.AspNetCore.Arguments;
using Descope.Mcp.AspNetCore.Gate;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// The <see cref="RequireRelationAttribute"/>s of one tool, prompt or resource template, read once, and how a call names
/// its resources: the named argument as the tool or prompt receives it (arguments held to its input schema or argument
/// list first, the same conformance argument rules use, so <c>"42"</c> for an integer or <c>Calendar_Id</c> for
/// <c>calendar_id</c> is refused, not checked as another resource), or the named URI-template variable as the resource
/// method receives it.
/// </summary>
/// <remarks>
/// A resource ID must be spelled one way only. So the argument must be a string (or an enum, whose conformance admits
/// exactly its listed names) or an integer; integers arriving as strings (prompt arguments, URI variables) must be written
/// plainly (<c>42</c>, not <c>042</c> or <c>+42</c>), and types the SDK reads from several spellings (a <see cref="Guid"/>,
/// a date, a number with a fraction, a prompt's enum) are a configuration problem reported at startup. Resource
/// templates are matched like the MCP SDK matches them; only templates whose expressions are all simple (<c>{name}</c>)
/// are supported, where that match is exactly the SDK's.
/// </remarks>
internal sealed class PrimitiveRelations
{
    /// <summary>The longest resource ID sent to Descope.</summary>
    internal const int MaxResourceIdLength = 1024;

    private static readonly ConditionalWeakTable<IMcpServerPrimitive, PrimitiveRelations> Compiled = [];
    private static readonly PrimitiveRelations None = new(McpPrimitiveKind.Tool, string.Empty, [], problem: null, schema: null, uriParser: null);
    private static readonly Regex TemplateExpression = new(@"\{([^{}]*)\}", RegexOptions.CultureInvariant);
    private static readonly Regex SimpleVariable = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex PlainInteger = new("^-?(0|[1-9][0-9]{0,19})$", RegexOptions.CultureInvariant);

    private readonly ToolArgumentSchema? _schema;
    private readonly Regex? _uriParser;

    private PrimitiveRelations(McpPrimitiveKind kind, string name, Requirement[] requirements, string? problem, ToolArgumentSchema? schema, Regex? uriParser)
    {
        Kind = kind;
        Name = name;
        Requirements = requirements;
        Problem = problem;
        _schema = schema;
        _uriParser = uriParser;
    }

    public McpPrimitiveKind Kind { get; }

    /// <summary>The tool's or prompt's name, or the resource's URI template.</summary>
    public string Name { get; }

    /// <summary>The relations required, each once, in the order of the attributes.</summary>
    public Requirement[] Requirements { get; }

    /// <summary>Why the relations cannot be checked as declared (startup fails on it); <see langword="null"/> when they can.</summary>
    public string? Problem { get; }

    /// <summary>The relations a primitive requires, or <see langword="null"/> when it requires none.</summary>
    public static PrimitiveRelations? Of(IMcpServerPrimitive primitive)
    {
        // Looked up first, so the usual hit allocates no closure.
        var relations = Compiled.TryGetValue(primitive, out var known) ? known : Compiled.GetValue(primitive, Compile);
        return ReferenceEquals(relations, None) ? null : relations;
    }

    /// <summary>
    /// The resource ID each requirement names in a tool call's or prompt fetch's arguments; <paramref name="invalid"/> says
    /// which argument cannot name one (never its value).
    /// </summary>
    public bool TryReadResources(IDictionary<string, JsonElement>? arguments, [NotNullWhen(true)] out string[]? resources, [NotNullWhen(false)] out string? invalid)
    {
        resources = null;
        if (_schema is null)
        {
            invalid = "the call names no resource.";
            return false;
        }

        if (!_schema.TryConform(ArgumentScopesRequirement.ToElement(arguments), out var conforming, out invalid))
        {
            return false;
        }

        var read = new string[Requirements.Length];
        for (var i = 0; i < Requirements.Length; i++)
        {
            var requirement = Requirements[i];
            var path = "arguments." + requirement.Argument;
            if (!conforming.TryGetProperty(requirement.Argument, out var value))
            {
                invalid = $"{path} is required: it names the {requirement.ResourceType} the caller needs the relation {requirement.Relation} with.";
                return false;
            }

            var id = value.ValueKind switch
            {
                JsonValueKind.String => requirement.IsInteger ? PlainIntegerOrNull(value.GetString()!) : value.GetString(),
                JsonValueKind.Number when value.TryGetInt64(out var signed) => signed.ToString(CultureInfo.InvariantCulture),
                JsonValueKind.Number when value.TryGetUInt64(out var unsigned) => unsigned.ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            if (CheckResourceId(id, path, requirement) is { } problem)
            {
                invalid = problem;
                return false;
            }

            read[i] = id!;
        }

        resources = read;
        invalid = null;
        return true;
    }

    /// <summary>The resource ID each requirement names in a resource URI, as the resource method receives the variables.</summary>
    public bool TryReadResources(string? uri, [NotNullWhen(true)] out string[]? resources, [NotNullWhen(false)] out string? invalid)
    {
        resources = null;
        if (_uriParser is null || uri is null || _uriParser.Match(uri) is not { Success: true } match)
        {
            invalid = "the URI does not match the resource template.";
            return false;
        }

        var read = new string[Requirements.Length];
        for (var i = 0; i < Requirements.Length; i++)
        {
            var requirement = Requirements[i];
            var group = match.Groups[requirement.Argument];
            var value = group.Success ? Uri.UnescapeDataString(group.Value) : null;
            var id = requirement.IsInteger && value is not null ? PlainIntegerOrNull(value) : value;
            if (CheckResourceId(id, "uri variable " + requirement.Argument, requirement) is { } problem)
            {
                invalid = problem;
                return false;
            }

            read[i] = id!;
        }

        resources = read;
        invalid = null;
        return true;
    }

    private static string? CheckResourceId(string? id, string path, Requirement requirement) =>
        id switch
        {
            null => $"{path} must be {(requirement.IsInteger ? "an integer written plainly" : "a string")} to name a {requirement.ResourceType}.",
            { Length: 0 } => $"{path} must not be empty: it names a {requirement.ResourceType}.",
            { Length: > MaxResourceIdLength } => $"{path} is longer than the {MaxResourceIdLength} characters a {requirement.ResourceType} ID may have.",
            _ when id.Any(char.IsControl) => $"{path} must not contain control characters.",
            _ => null,
        };

    /// <summary>An integer sent as a string, in the one spelling a resource ID may have: <c>42</c>, never <c>042</c>, <c>+42</c> or <c>-0</c>.</summary>
    private static string? PlainIntegerOrNull(string value) =>
        PlainInteger.IsMatch(value) && value != "-0"
        && (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) || ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? value
            : null;

    private static PrimitiveRelations Compile(IMcpServerPrimitive primitive)
    {
        var attributes = primitive.Metadata.OfType<RequireRelationAttribute>().ToArray();
        if (attributes.Length == 0)
        {
            return None;
        }

        var method = primitive.Metadata.OfType<MethodInfo>().FirstOrDefault();
        var (kind, name) = primitive switch
        {
            McpServerTool tool => (McpPrimitiveKind.Tool, tool.ProtocolTool.Name),
            McpServerPrompt prompt => (McpPrimitiveKind.Prompt, prompt.ProtocolPrompt.Name),
            McpServerResource resource => (McpPrimitiveKind.Resource, resource.ProtocolResourceTemplate.UriTemplate),
            _ => (McpPrimitiveKind.Tool, primitive.Id),
        };

        var problems = new List<string>();
        var requirements = new List<Requirement>();
        HashSet<string>? variables = null;
        Regex? uriParser = null;
        if (primitive is McpServerResource template)
        {
            (variables, uriParser) = TemplateOf(template, problems);
        }

        foreach (var attribute in attributes)
        {
            if (string.IsNullOrEmpty(attribute.Argument))
            {
                problems.Add($"[RequireRelation(\"{attribute.Relation}\", \"{attribute.ResourceType}\")] names no Argument: set Argument to the {ArgumentNoun(kind)} that holds the resource ID.");
                continue;
            }

            var isInteger = primitive switch
            {
                McpServerTool tool => ToolArgumentIsInteger(tool, method, attribute.Argument, problems),
                McpServerPrompt prompt => PromptArgumentIsInteger(prompt, method, attribute.Argument, problems),
                _ => VariableIsInteger(variables, method, attribute.Argument, problems),
            };
            var requirement = new Requirement(attribute.Relation, attribute.ResourceType, attribute.Argument, isInteger);
            if (!requirements.Contains(requirement))
            {
                requirements.Add(requirement);
            }
        }

        var schema = primitive switch
        {
            McpServerTool tool => ToolArgumentSchema.For(tool),
            McpServerPrompt prompt => ToolArgumentSchema.For(prompt),
            _ => null,
        };
        var problem = problems.Count == 0 ? null : $"The {kind.Name()} {name}: " + string.Join(" ", problems);
        return new PrimitiveRelations(kind, name, [.. requirements], problem, schema, uriParser);
    }

    private static string ArgumentNoun(McpPrimitiveKind kind) => kind == McpPrimitiveKind.Resource ? "URI-template variable" : "argument";

    private static bool ToolArgumentIsInteger(McpServerTool tool, MethodInfo? method, string argument, List<string> problems)
    {
        var schema = tool.ProtocolTool.InputSchema;
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(argument, out var property))
        {
            problems.Add($"[RequireRelation] names the argument '{argument}', which its input schema does not declare (names are compared exactly).");
            return false;
        }

        var types = property.ValueKind == JsonValueKind.Object && property.TryGetProperty("type", out var type)
            ? type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array => type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : "?").ToArray(),
                _ => ["?"],
            }
            : ["?"];
        var named = types.Where(t => t != "null").ToArray();
        if (named is not (["string"] or ["integer"]) || property.TryGetProperty("format", out _)
            || (ParameterType(method, argument) is { } clrType && !IsStringLike(clrType) && !IsInteger(clrType)))
        {
            problems.Add($"[RequireRelation] names the argument '{argument}', which is not a string or an integer: a resource ID must have one spelling, and the tool could read several spellings of this one as the same value.");
            return false;
        }

        return named[0] == "integer";
    }

    private static bool PromptArgumentIsInteger(McpServerPrompt prompt, MethodInfo? method, string argument, List<string> problems)
    {
        if (prompt.ProtocolPrompt.Arguments?.Any(a => a.Name == argument) != true)
        {
            problems.Add($"[RequireRelation] names the argument '{argument}', which its argument list does not have (names are compared exactly).");
            return false;
        }

        return ParameterIsStringOrInteger(method, argument, problems);
    }

    private static bool VariableIsInteger(HashSet<string>? variables, MethodInfo? method, string argument, List<string> problems)
    {
        if (variables is null)
        {
            return false;
        }

        if (!variables.Contains(argument))
        {
            problems.Add($"[RequireRelation] names the URI-template variable '{argument}', which its URI template does not have.");
            return false;
        }

        return ParameterIsStringOrInteger(method, argument, problems);
    }

    /// <summary>Whether a parameter that receives a string is an integer; anything but a string or an integer is a problem.</summary>
    private static bool ParameterIsStringOrInteger(MethodInfo? method, string argument, List<string> problems)
    {
        var clrType = ParameterType(method, argument);
        if (clrType is null || clrType == typeof(string))
        {
            return false;
        }

        if (IsInteger(clrType))
        {
            return true;
        }

        problems.Add($"[RequireRelation] names '{argument}', which the method reads as a {clrType.Name}: a resource ID must have one spelling, so it must be a string or an integer.");
        return false;
    }

    private static (HashSet<string>? Variables, Regex? Parser) TemplateOf(McpServerResource resource, List<string> problems)
    {
        if (!resource.IsTemplated)
        {
            problems.Add("[RequireRelation] needs a resource template: a static resource's URI has no variable that names a resource.");
            return (null, null);
        }

        var template = resource.ProtocolResourceTemplate.UriTemplate;
        var variables = new HashSet<string>(StringComparer.Ordinal);
        var pattern = new StringBuilder("^");
        var last = 0;
        foreach (Match expression in TemplateExpression.Matches(template))
        {
            var variable = expression.Groups[1].Value;
            if (!SimpleVariable.IsMatch(variable) || !variables.Add(variable))
            {
                problems.Add($"[RequireRelation] supports URI templates whose expressions are all simple ({{name}}, each variable once); '{{{variable}}}' is not.");
                return (null, null);
            }

            // What the MCP SDK matches a simple expression with, and how it matches the whole URI.
            pattern.Append(Regex.Escape(template[last..expression.Index])).Append("(?<").Append(variable).Append(">[^/?&#]*)?");
            last = expression.Index + expression.Length;
        }

        pattern.Append(Regex.Escape(template[last..])).Append('$');
        var parser = new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        return (variables, parser);
    }

    private static Type? ParameterType(MethodInfo? method, string argument)
    {
        var parameter = method?.GetParameters().FirstOrDefault(p => PromptArgumentSchema.ArgumentName(p) == argument);
        return parameter is null ? null : Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
    }

    // A [Flags] enum reads "Read, Admin" and "Admin, Read" as one value: not one spelling.
    private static bool IsStringLike(Type type) =>
        type == typeof(string) || type == typeof(char) || (type.IsEnum && !type.IsDefined(typeof(FlagsAttribute), inherit: false));

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte);

    /// <summary>One required relation: the relation, the resource type, and the argument or variable naming the resource.</summary>
    internal sealed record Requirement(string Relation, string ResourceType, string Argument, bool IsInteger);
}
