namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// The paths of Descope's outbound-token API (all <c>POST</c> with a JSON body).
/// </summary>
internal static class DescopeConnectionApi
{
    public const string UserToken = "/v1/mgmt/outbound/app/user/token";
    public const string UserTokenLatest = "/v1/mgmt/outbound/app/user/token/latest";
    public const string TenantToken = "/v1/mgmt/outbound/app/tenant/token";
    public const string TenantTokenLatest = "/v1/mgmt/outbound/app/tenant/token/latest";
    public const string Connect = "/v1/mgmt/outbound/app/connect";

    /// <summary>Descope's error code for "no token for this app, user and scopes".</summary>
    /// <summary>The scope a caller's access token needs for Descope to hand out connection tokens under it.</summary>
    public const string TokenFetchScope = "outbound.token.fetch";

    public const string NotConnectedErrorCode = "E111504";

    public static string PathFor(ConnectionFetch fetch) => (fetch.Owner, fetch.ByScopes) switch
    {
        (ConnectionOwner.User, true) => UserToken,
        (ConnectionOwner.User, false) => UserTokenLatest,
        (ConnectionOwner.Tenant, true) => TenantToken,
        _ => TenantTokenLatest,
    };
}
