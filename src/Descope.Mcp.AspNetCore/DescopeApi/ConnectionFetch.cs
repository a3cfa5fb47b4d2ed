namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// One token request to Descope, normalised: scopes de-duplicated, the credential chosen.
/// </summary>
internal sealed record ConnectionFetch(
    ConnectionOwner Owner,
    string AppId,
    string? UserId,
    string? TenantId,
    IReadOnlyList<string> Scopes,
    bool WithRefreshToken,
    bool ForceRefresh,
    DescopeCredential Credential,
    bool ResolveConnectUrl)
{
    /// <summary>Skip reading the cache (the answer is still written). Always so when <see cref="ForceRefresh"/> is.</summary>
    public bool SkipCacheRead { get; init; } = ForceRefresh;

    public bool ByScopes => Scopes.Count > 0;
}

/// <summary>Whose connection a token belongs to.</summary>
internal enum ConnectionOwner
{
    User,
    Tenant,
}

/// <summary>A request for the URL where a user connects an app.</summary>
internal sealed record ConnectUrlFetch(string AppId, string? TenantId, IReadOnlyList<string> Scopes, Uri? RedirectUrl, DescopeCredential Credential);
