namespace Descope.Mcp.AspNetCore;

/// <summary>What a request without credentials may do on a Descope-protected MCP endpoint.</summary>
public enum AnonymousAccess
{
    /// <summary>Nothing: every request needs a valid access token and gets HTTP 401 without one.</summary>
    None = 0,

    /// <summary>
    /// A request without credentials (no <c>Authorization</c> or <c>DPoP</c> header, nothing the scheme reads as a token) on a
    /// Streamable HTTP endpoint may <c>initialize</c> (or <c>server/discover</c>), <c>ping</c>, send notifications, list
    /// tools, prompts, resources and resource templates, and call, get, read, subscribe to or complete the tools, prompts
    /// and resources marked <c>[AllowAnonymous]</c>. Any other request gets the ordinary HTTP 401 challenge before it
    /// reaches the MCP server, so OAuth clients sign in. A request with a token is authenticated as usual: a refused token
    /// gets 401, never anonymous access. The legacy SSE endpoints always need a token.
    /// </summary>
    PublicPrimitives = 1,
}
