namespace Descope.Mcp.AspNetCore;

/// <summary>
/// What the library does with a DPoP-bound caller token when it acts for the caller at Descope (connection tokens, token
/// exchange). The library holds no proof key of the caller's, so it can only send the token as it is.
/// </summary>
public enum DPoPBoundTokenForwarding
{
    /// <summary>Send the bound token to Descope as it is, as for a bearer token.</summary>
    Forward = 0,

    /// <summary>
    /// Do not send it: connection tokens fail with <see cref="ConnectionTokenFailure.DPoPBoundToken"/> and token exchange
    /// with <see cref="TokenExchangeFailure.DPoPBoundToken"/>.
    /// </summary>
    Refuse = 1,
}
