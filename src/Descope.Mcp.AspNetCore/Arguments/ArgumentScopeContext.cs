using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Gate;
using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A tool call (<c>tools/call</c>) or a prompt fetch (<c>prompts/get</c>) as an <see cref="IArgumentScopeRule"/> sees it,
/// before the tool or prompt runs.
/// </summary>
public sealed class ArgumentScopeContext
{
    private readonly McpPrimitiveKind _kind;
    private readonly string _name;

    internal ArgumentScopeContext(McpPrimitiveKind kind, string name, JsonElement arguments, ClaimsPrincipal user, IServiceProvider requestServices)
    {
        _kind = kind;
        _name = name;
        Arguments = arguments;
        User = user;
        RequestServices = requestServices;
    }

    /// <summary>The name of the tool being called; <see langword="null"/> when a prompt is being fetched.</summary>
    public string? ToolName => _kind == McpPrimitiveKind.Tool ? _name : null;

    /// <summary>The name of the prompt being fetched; <see langword="null"/> when a tool is being called.</summary>
    public string? PromptName => _kind == McpPrimitiveKind.Prompt ? _name : null;

    /// <summary>
    /// The call's arguments as the tool or prompt receives them: an object that conforms to the tool's input schema or the
    /// prompt's argument list (calls whose arguments do not are refused with invalid params before any rule runs), each
    /// member named exactly as declared and given once, with the declared <c>default</c> in place of every member the
    /// client omitted.
    /// </summary>
    /// <remarks>
    /// Values are as sent within what the schema allows: an <c>integer</c> is a JSON number without fraction or exponent,
    /// an enum one of its listed names. Where the schema only says "a string" for a type the tool parses (a <c>[Flags]</c>
    /// enum, a <see cref="Guid"/>, a date), several spellings reach the tool as the same value: judge those with
    /// <see cref="GetArgument{T}(string)"/>. A prompt's arguments are always strings (MCP defines them so), whatever type
    /// the prompt's parameter has: judge a number or an enum with <see cref="GetArgument{T}(string)"/>, as the prompt reads
    /// it (an enum in any letter case, or its number).
    /// </remarks>
    public JsonElement Arguments { get; }

    /// <summary>The caller.</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>The services of the request.</summary>
    public IServiceProvider RequestServices { get; }

    /// <summary>
    /// Reads the argument named <paramref name="name"/> as the tool binds it: deserialized from <see cref="Arguments"/>
    /// with the MCP SDK's serializer options (<c>McpJsonUtilities.DefaultOptions</c>), which tools use unless they were
    /// created with their own. <c>"Read, Admin"</c> and <c>"admin"</c> both read as the flags they mean.
    /// </summary>
    /// <typeparam name="T">The type of the tool's parameter.</typeparam>
    /// <param name="name">The parameter's name, as the tool's input schema spells it.</param>
    /// <returns>The value, or <see langword="default"/> when the call has no such argument and the schema no default.</returns>
    /// <exception cref="JsonException">The value cannot be read as a <typeparamref name="T"/> (the tool could not either).</exception>
    public T? GetArgument<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Arguments.ValueKind != JsonValueKind.Object || !Arguments.TryGetProperty(name, out var value))
        {
            return default;
        }

        return value.Deserialize((JsonTypeInfo<T>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
    }

    /// <summary>The same call with its arguments as the tool or prompt receives them.</summary>
    internal ArgumentScopeContext WithArguments(JsonElement arguments) => new(_kind, _name, arguments, User, RequestServices);
}
