namespace Descope.Mcp.AspNetCore;

/// <summary>Why Descope did not issue a token in exchange for the caller's.</summary>
public enum TokenExchangeFailure
{
    /// <summary>Descope rejected the caller's token (<c>invalid_grant</c>): expired, revoked, or not for this project.</summary>
    InvalidGrant,

    /// <summary>Descope's policy does not let this user, MCP client or MCP server have the token (<c>access_denied</c>).</summary>
    AccessDenied,

    /// <summary>Descope does not know the audience or resource, or it may not be asked for (<c>invalid_target</c>).</summary>
    InvalidTarget,

    /// <summary>Descope rejected the MCP server's client credentials (<c>invalid_client</c>, <c>unauthorized_client</c>).</summary>
    InvalidClient,

    /// <summary>Descope rejected the request for another reason (<c>invalid_request</c>, <c>invalid_scope</c>, ...).</summary>
    InvalidRequest,

    /// <summary>Descope could not be reached, timed out, or answered with something other than a token.</summary>
    Unavailable,

    /// <summary>
    /// The caller's token is DPoP-bound and <see cref="DPoPOptions.BoundTokenForwarding"/> is
    /// <see cref="DPoPBoundTokenForwarding.Refuse"/>, so it was not sent to Descope.
    /// </summary>
    DPoPBoundToken,
}
