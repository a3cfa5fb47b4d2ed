namespace Descope.Mcp.AspNetCore;

/// <summary>
/// What every connection token request names. See <see cref="UserConnectionTokenRequest"/> and
/// <see cref="TenantConnectionTokenRequest"/>.
/// </summary>
public abstract class ConnectionTokenRequest
{
    private protected ConnectionTokenRequest()
    {
    }

    /// <summary>The connection (outbound app) ID, for example <c>google-calendar</c>.</summary>
    public required string AppId { get; init; }

    /// <summary>
    /// The scopes the token must carry. <see langword="null"/> or empty asks for the latest token, whatever its scopes.
    /// </summary>
    public IEnumerable<string>? Scopes { get; init; }

    /// <summary>Also return the refresh token. Such answers are never cached.</summary>
    public bool WithRefreshToken { get; init; }

    /// <summary>Ask Descope to refresh the token with the provider, and skip the local cache.</summary>
    public bool ForceRefresh { get; init; }

    /// <summary>
    /// For background work only: when there is no authenticated Descope caller, authorize with
    /// <see cref="DescopeMcpOptions.ManagementKey"/>. Requests made with it bypass Descope's connection policies, so it is
    /// never inferred: without this flag a request with no caller fails. With a caller, the caller's token is used anyway.
    /// </summary>
    public bool UseManagementKey { get; init; }
}
