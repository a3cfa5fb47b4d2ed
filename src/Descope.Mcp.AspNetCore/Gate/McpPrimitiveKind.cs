namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// The kind of MCP primitive a request uses. <c>completion/complete</c> uses the prompt (<c>ref/prompt</c>, by name) or
/// resource (<c>ref/resource</c>, by URI or URI template) its <c>params.ref</c> names.
/// </summary>
internal enum McpPrimitiveKind
{
    /// <summary><c>tools/call</c>, naming the tool in <c>params.name</c>.</summary>
    Tool,

    /// <summary><c>prompts/get</c>, naming the prompt in <c>params.name</c>.</summary>
    Prompt,

    /// <summary>
    /// <c>resources/read</c>, <c>resources/subscribe</c> and <c>resources/unsubscribe</c>, naming the resource (static or
    /// matching a template) in <c>params.uri</c>.
    /// </summary>
    Resource,
}

/// <summary>The lower-case noun of each <see cref="McpPrimitiveKind"/>, as refusals and telemetry name it.</summary>
internal static class McpPrimitiveKindNames
{
    public static string Name(this McpPrimitiveKind kind) => kind switch
    {
        McpPrimitiveKind.Tool => "tool",
        McpPrimitiveKind.Prompt => "prompt",
        _ => "resource",
    };
}
