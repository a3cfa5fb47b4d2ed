using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Arguments;

/// <summary>
/// The JSON Schema a prompt's arguments are held to before an argument rule judges them. MCP defines a prompt's arguments
/// as strings named by its argument list (the one <c>prompts/list</c> shows, saying which are required), while the SDK
/// hands the prompt whatever JSON values arrive and binds them as leniently as a tool's. So the schema declares every
/// listed argument as a string and nothing else, and marks the required ones required.
/// </summary>
/// <remarks>
/// An argument the client omits reaches the prompt as its method parameter's default, which the argument list does not
/// show: the default is read from the method the SDK made the prompt from (its metadata carries it) exactly as the SDK
/// generates it for its own schema, so a rule sees it too. A prompt not made from a method has no default the server
/// can know. If the defaults cannot be read, the schema refuses every call rather than let a rule judge without them.
/// </remarks>
internal static class PromptArgumentSchema
{
    private static readonly JsonElement Unjudgeable = JsonElement.Parse("""{"not":{}}"""u8);

    /// <summary>The schema of the prompt's arguments.</summary>
    public static JsonElement Of(McpServerPrompt prompt)
    {
        var declared = prompt.ProtocolPrompt.Arguments ?? [];
        JsonElement? defaults;
        try
        {
            defaults = DefaultsOf(prompt, declared);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return Unjudgeable;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "object");
            writer.WriteStartObject("properties");
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var argument in declared)
            {
                if (!written.Add(argument.Name))
                {
                    continue;
                }

                writer.WriteStartObject(argument.Name);
                writer.WriteString("type", "string");
                if (defaults is { } parameters && parameters.TryGetProperty(argument.Name, out var parameter)
                    && parameter.ValueKind == JsonValueKind.Object && parameter.TryGetProperty("default", out var fallback))
                {
                    writer.WritePropertyName("default");
                    fallback.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartArray("required");
            foreach (var name in declared.Where(argument => argument.Required == true).Select(argument => argument.Name).Distinct(StringComparer.Ordinal))
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return JsonElement.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// The <c>properties</c> of the schema the SDK's AI function factory makes of the prompt's method, limited to the
    /// listed arguments; <see langword="null"/> when the prompt was not made from a method.
    /// </summary>
    private static JsonElement? DefaultsOf(McpServerPrompt prompt, IList<PromptArgument> declared)
    {
        if (declared.Count == 0 || prompt.Metadata.OfType<MethodInfo>().FirstOrDefault() is not { } method)
        {
            return null;
        }

        var names = declared.Select(argument => argument.Name).ToHashSet(StringComparer.Ordinal);
        var schema = AIJsonUtilities.CreateFunctionJsonSchema(
            method,
            serializerOptions: McpJsonUtilities.DefaultOptions,
            inferenceOptions: new AIJsonSchemaCreateOptions { IncludeParameter = parameter => names.Contains(ArgumentName(parameter)) });
        return schema.TryGetProperty("properties", out var properties) ? properties.Clone() : null;
    }

    /// <summary>The name a parameter has in the prompt's argument list, as the SDK's AI function factory names it.</summary>
    internal static string ArgumentName(ParameterInfo parameter)
    {
#pragma warning disable MEAI001 // Read only to name the parameter as the factory does; the attribute is still experimental.
        return parameter.GetCustomAttribute<AIParameterNameAttribute>(inherit: true)?.Name ?? parameter.Name ?? string.Empty;
#pragma warning restore MEAI001
    }
}
