namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Why Descope did not hand out a connection token.
/// </summary>
public enum ConnectionTokenFailure
{
    /// <summary>
    /// The user (or tenant) has not connected the app, or not with the requested scopes (HTTP 404, Descope error
    /// <c>E111504</c>). The user can connect it at <see cref="ConnectionTokenException.ConnectUrl"/>.
    /// </summary>
    NotConnected = 1,

    /// <summary>Descope's policies do not allow this caller to have the token, or the credential was refused (HTTP 401/403).</summary>
    PolicyDenied = 2,

    /// <summary>Descope is rate limiting the requests (HTTP 429); see <see cref="ConnectionTokenException.RetryAfter"/>.</summary>
    RateLimited = 3,

    /// <summary>
    /// Descope could not be reached or kept failing (timeouts, transport errors, 5xx after retries, an open circuit
    /// breaker, or an answer that could not be read).
    /// </summary>
    Unavailable = 4,

    /// <summary>Descope refused the request as invalid (HTTP 400 and other client errors).</summary>
    InvalidRequest = 5,

    /// <summary>
    /// The caller's token is DPoP-bound and <see cref="DPoPOptions.BoundTokenForwarding"/> is
    /// <see cref="DPoPBoundTokenForwarding.Refuse"/>, so it was not sent to Descope.
    /// </summary>
    DPoPBoundToken = 6,
}
