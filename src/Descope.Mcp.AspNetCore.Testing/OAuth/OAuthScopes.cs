namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>Scopes with a meaning to the authorization server itself.</summary>
internal static class OAuthScopes
{
    public const string OpenId = "openid";
    public const string OfflineAccess = "offline_access";
}
