namespace Descope.Mcp.AspNetCore.Gate;

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
