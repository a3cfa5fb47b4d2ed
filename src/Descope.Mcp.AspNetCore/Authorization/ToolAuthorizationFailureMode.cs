namespace Descope.Mcp.AspNetCore;

/// <summary>
/// How a <c>tools/call</c> for a tool the caller may not use is answered, before the tool runs.
/// </summary>
public enum ToolAuthorizationFailureMode
{
    /// <summary>
    /// HTTP 403. When scopes are missing it carries <c>WWW-Authenticate: Bearer error="insufficient_scope",
    /// scope="..."</c>, on which MCP clients re-authorize with more scope (step-up) and retry.
    /// </summary>
    Forbidden = 0,

    /// <summary>
    /// An MCP tool result with <c>isError: true</c> in an ordinary 200 response, for clients that cannot step up. Its text
    /// and structured content carry the same information as the 403: the <see cref="InsufficientScopeException"/> JSON.
    /// </summary>
    ToolError = 1,
}
