namespace Descope.Mcp.AspNetCore.TokenExchange;

/// <summary>The end-user messages of <see cref="TokenExchangeException"/>: what happened and what to do, never a token.</summary>
internal static class TokenExchangeMessages
{
    public static string For(TokenExchangeFailure failure, string audience) => failure switch
    {
        TokenExchangeFailure.InvalidGrant => $"Descope did not accept your sign-in for access to '{audience}'. Sign in again and retry.",
        TokenExchangeFailure.AccessDenied => $"Access to '{audience}' was denied by Descope's policy for this user, client or server. Ask an administrator to grant it.",
        TokenExchangeFailure.InvalidTarget => $"Descope does not issue tokens for '{audience}'. Check the audience and the Descope console's configuration.",
        TokenExchangeFailure.InvalidClient => $"The server's Descope client could not authenticate, so no token for '{audience}' was issued. Check Descope:TokenExchange:ClientId and ClientSecret.",
        TokenExchangeFailure.DPoPBoundToken => $"No token for '{audience}' was requested: your access token is DPoP-bound and this server is configured not to forward bound tokens (Descope:DPoP:BoundTokenForwarding is Refuse).",
        TokenExchangeFailure.InvalidRequest => $"Descope rejected the request for a token for '{audience}'.",
        _ => $"Descope could not be reached for a token for '{audience}'. Try again shortly.",
    };

    /// <summary>For a caller whose token no longer validates here: Descope was not asked.</summary>
    public static string CallerTokenInvalid(string audience) =>
        $"Your sign-in is no longer valid (it may have expired during this call), so no token for '{audience}' was requested. Sign in again and retry.";
}
