namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>The OAuth grant types the test authority serves.</summary>
public static class TestOAuthGrants
{
    /// <summary>The authorization code grant, with PKCE (S256) required.</summary>
    public const string AuthorizationCode = "authorization_code";

    /// <summary>
    /// The refresh token grant; refresh tokens are single-use and rotate, and are issued only when the user granted
    /// <c>offline_access</c> to a client registered for this grant.
    /// </summary>
    public const string RefreshToken = "refresh_token";

    /// <summary>The client credentials grant, for confidential clients acting for themselves.</summary>
    public const string ClientCredentials = "client_credentials";

    internal static readonly string[] All = [AuthorizationCode, RefreshToken, ClientCredentials];
}
