namespace Descope.Mcp.AspNetCore;

/// <summary>
/// How a <c>tools/call</c>, <c>prompts/get</c>, <c>resources/read</c>, <c>resources/subscribe</c>,
/// <c>resources/unsubscribe</c> or <c>completion/complete</c> of a primitive the caller may not use is answered, before
/// its handler runs.
/// </summary>
public enum ToolAuthorizationFailureMode
{
    /// <summary>
    /// HTTP 403. When scopes are missing it carries <c>WWW-Authenticate: Bearer error="insufficient_scope",
    /// scope="..."</c>, on which MCP clients re-authorize with more scope (step-up) and retry.
    /// </summary>
    Forbidden = 0,

    /// <summary>
    /// An ordinary 200 response, for clients that cannot step up: for a tool, an MCP tool result with <c>isError: true</c>
    /// whose text and structured content carry the same information as the 403 (the <see cref="InsufficientScopeException"/>
    /// JSON); for a prompt or resource, a JSON-RPC error whose <c>data</c> is that JSON. Either names the challenges the
    /// HTTP answer would have carried in <c>mcp/www_authenticate</c> (in the tool result's <c>_meta</c>, in the error's
    /// <c>data</c>), from which clients of per-tool authorization sign in or step up; with
    /// <see cref="AnonymousAccess.PublicPrimitives"/>, a caller without credentials gets the same answer with the 401's
    /// challenges.
    /// </summary>
    ToolError = 1,
}
