namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>Scopes with a meaning to the authorization server itself.</summary>
internal static class OAuthScopes
{
    public const string OpenId = "openid";
    public const string OfflineAccess = "offline_access";

    /// <summary>The scopes of a space-separated <c>scope</c> value; none for null or blank.</summary>
    public static string[] Parse(string? value) => value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>
    /// What a user may grant a client: the user's scopes, <c>openid</c>, and <c>offline_access</c> when the client may use
    /// refresh tokens.
    /// </summary>
    public static HashSet<string> GrantableTo(TestUser user, TestClient client)
    {
        var grantable = new HashSet<string>(user.Scopes, StringComparer.Ordinal) { OpenId };
        if (client.GrantTypes.Contains(TestOAuthGrants.RefreshToken))
        {
            grantable.Add(OfflineAccess);
        }

        return grantable;
    }
}
