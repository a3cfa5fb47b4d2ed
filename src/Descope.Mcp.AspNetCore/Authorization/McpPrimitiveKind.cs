namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>The kind of MCP primitive a request uses, and so which method calls it.</summary>
internal enum McpPrimitiveKind
{
    /// <summary><c>tools/call</c>, naming the tool in <c>params.name</c>.</summary>
    Tool,

    /// <summary><c>prompts/get</c>, naming the prompt in <c>params.name</c>.</summary>
    Prompt,

    /// <summary><c>resources/read</c>, naming the resource (static or matching a template) in <c>params.uri</c>.</summary>
    Resource,
}
