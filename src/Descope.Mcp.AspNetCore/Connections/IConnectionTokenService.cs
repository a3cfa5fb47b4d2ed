using System.Diagnostics.CodeAnalysis;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Gets third-party access tokens from Descope's connections (outbound apps) for MCP tools. Inject it into a tool class
/// or a tool method.
/// </summary>
/// <remarks>
/// <para>
/// Descope is called with <c>Bearer &lt;ProjectId&gt;:&lt;caller's access token&gt;</c>, so Descope's connection
/// policies decide, per request, whether the caller may have the token. The caller's token is taken from the current
/// request after it passed validation, and is only ever sent to the configured Descope base URL. Only when there is no
/// caller at all, as in background work, is <see cref="DescopeMcpOptions.ManagementKey"/> used; a management key
/// bypasses Descope's connection policies. A caller whose token no longer validates (for example it expired during the
/// call) is refused with <see cref="ConnectionTokenFailure.CallerTokenInvalid"/>, and a machine caller
/// (<see cref="DescopeMcpOptions.MachineCallers"/>) gets no user's token and no connect URL
/// (<see cref="ConnectionTokenFailure.MachineCaller"/>); neither ever falls back to the management key.
/// </para>
/// <para>
/// Descope hands out connection tokens under a caller's access token only when that token grants the
/// <c>outbound.token.fetch</c> scope. Require it, so MCP clients ask for it when the user signs in: for every request
/// with <c>Descope:RequiredScopes</c> (<see cref="DescopeMcpOptions.RequiredScopes"/>), or on the tools that use
/// connections with <c>[RequireScopes("outbound.token.fetch")]</c>. Without it, calls fail with
/// <see cref="ConnectionTokenFailure.PolicyDenied"/> and a message that names the missing scope.
/// </para>
/// <para>
/// Failures throw <see cref="ConnectionTokenException"/>. A tool that does not catch it answers the MCP client with a
/// tool error whose text tells the user what to do, for example which URL connects the app.
/// </para>
/// <para>
/// Tokens are cached (see <see cref="ConnectionTokenOptions.CacheMaxLifetime"/>) under a key bound to the caller's own
/// access token, so one caller never receives a token fetched under another caller's authority.
/// </para>
/// </remarks>
public interface IConnectionTokenService
{
    /// <summary>
    /// Gets the current caller's token for a connection. The user is the validated token's <c>sub</c>.
    /// </summary>
    /// <param name="appId">The connection (outbound app) ID, for example <c>google-calendar</c>.</param>
    /// <param name="scopes">
    /// The scopes the token must carry; Descope answers with a token that has at least these. <see langword="null"/> or
    /// empty asks for the latest token the user granted, whatever its scopes.
    /// </param>
    /// <param name="tenantId">The tenant the connection belongs to, when the user connected it within a tenant.</param>
    /// <param name="withRefreshToken">Also return the refresh token. Such answers are never cached.</param>
    /// <param name="forceRefresh">
    /// Ask Descope to refresh the token with the provider, and skip the local cache (the new token is still cached).
    /// </param>
    /// <param name="cancellationToken">Cancels this caller's wait; other callers waiting for the same token go on.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ConnectionTokenException">Descope did not hand out the token; see <see cref="ConnectionTokenException.Failure"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no authenticated caller in the current request.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<ConnectionToken> GetUserTokenAsync(
        string appId,
        IEnumerable<string>? scopes = null,
        string? tenantId = null,
        bool withRefreshToken = false,
        bool forceRefresh = false,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a named user's token for a connection. Within a request Descope is called with the caller's token (its
    /// policies decide whether this caller may act for that user); without one, with the management key.
    /// </summary>
    /// <param name="request">What to fetch.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ConnectionTokenException">Descope did not hand out the token.</exception>
    /// <exception cref="InvalidOperationException">There is neither a caller token nor a configured management key.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<ConnectionToken> GetUserTokenAsync(UserConnectionTokenRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a tenant-level token for a connection. Within a request Descope is called with the caller's token; without
    /// one, with the management key.
    /// </summary>
    /// <param name="request">What to fetch.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ConnectionTokenException">Descope did not hand out the token.</exception>
    /// <exception cref="InvalidOperationException">There is neither a caller token nor a configured management key.</exception>
    Task<ConnectionToken> GetTenantTokenAsync(TenantConnectionTokenRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the URL where the current caller connects an app (grants Descope access to the third party), for example to
    /// show it when <see cref="ConnectionTokenFailure.NotConnected"/> was thrown.
    /// </summary>
    /// <param name="appId">The connection (outbound app) ID.</param>
    /// <param name="scopes">The scopes to ask the user for; <see langword="null"/> for the app's defaults.</param>
    /// <param name="tenantId">The tenant to connect within, if any.</param>
    /// <param name="redirectUrl">Where the user returns afterwards; default: <see cref="ConnectionTokenOptions.ConnectRedirectUrl"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL to open in a browser.</returns>
    /// <exception cref="ConnectionTokenException">Descope did not hand out the URL.</exception>
    /// <exception cref="InvalidOperationException">There is no authenticated caller in the current request.</exception>
    Task<Uri> GetConnectUrlAsync(
        string appId,
        IEnumerable<string>? scopes = null,
        string? tenantId = null,
        Uri? redirectUrl = null,
        CancellationToken cancellationToken = default);
}
