using Descope.Mcp.AspNetCore.Callers;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.TokenCache;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// The <see cref="IConnectionTokenService"/>: works out who is asking and with which credential, then asks the cache.
/// </summary>
internal sealed class ConnectionTokenService : IConnectionTokenService
{
    private readonly McpCallerAccessor _callers;
    private readonly ConnectionTokenCache _cache;
    private readonly DescopeConnectionClient _client;
    private readonly DescopeMcpOptions _options;
    private readonly ILogger<ConnectionTokenService> _logger;

    public ConnectionTokenService(
        McpCallerAccessor callers,
        ConnectionTokenCache cache,
        DescopeConnectionClient client,
        IOptions<DescopeMcpOptions> options,
        ILogger<ConnectionTokenService> logger)
    {
        _callers = callers;
        _cache = cache;
        _client = client;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<ConnectionToken> GetUserTokenAsync(
        string appId,
        IEnumerable<string>? scopes = null,
        string? tenantId = null,
        bool withRefreshToken = false,
        bool forceRefresh = false,
        CancellationToken cancellationToken = default)
    {
        CheckId(appId, nameof(appId));
        CheckOptionalId(tenantId, nameof(tenantId));
        var normalizedScopes = ScopeSyntax.Normalize(scopes, nameof(scopes));
        var caller = await RequireUserAsync(appId, nameof(GetUserTokenAsync), cancellationToken);
        return await _cache.GetAsync(
            new ConnectionFetch(ConnectionOwner.User, appId, caller.UserId, tenantId, normalizedScopes, withRefreshToken, forceRefresh,
                Credential(caller, appId), _options.Connections.IncludeConnectUrlInErrors),
            cancellationToken);
    }

    public async Task<ConnectionToken> GetUserTokenAsync(UserConnectionTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckId(request.AppId, nameof(request) + "." + nameof(request.AppId));
        CheckId(request.UserId, nameof(request) + "." + nameof(request.UserId));
        CheckOptionalId(request.TenantId, nameof(request) + "." + nameof(request.TenantId));
        var fetch = await ExplicitFetchAsync(ConnectionOwner.User, request, request.UserId, request.TenantId, cancellationToken);
        return await _cache.GetAsync(fetch, cancellationToken);
    }

    public async Task<ConnectionToken> GetTenantTokenAsync(TenantConnectionTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckId(request.AppId, nameof(request) + "." + nameof(request.AppId));
        CheckId(request.TenantId, nameof(request) + "." + nameof(request.TenantId));
        var fetch = await ExplicitFetchAsync(ConnectionOwner.Tenant, request, userId: null, request.TenantId, cancellationToken);
        return await _cache.GetAsync(fetch, cancellationToken);
    }

    public async Task<Uri> GetConnectUrlAsync(
        string appId,
        IEnumerable<string>? scopes = null,
        string? tenantId = null,
        Uri? redirectUrl = null,
        CancellationToken cancellationToken = default)
    {
        CheckId(appId, nameof(appId));
        CheckOptionalId(tenantId, nameof(tenantId));
        if (redirectUrl is not null && !redirectUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The redirect URL must be absolute.", nameof(redirectUrl));
        }

        var normalizedScopes = ScopeSyntax.Normalize(scopes, nameof(scopes));
        var caller = await RequireUserAsync(appId, nameof(GetConnectUrlAsync), cancellationToken);
        return await _client.GetConnectUrlAsync(
            new ConnectUrlFetch(appId, tenantId, normalizedScopes, _client.RedirectUrl(redirectUrl), Credential(caller, appId)),
            cancellationToken);
    }

    private async Task<ConnectionFetch> ExplicitFetchAsync(
        ConnectionOwner owner, ConnectionTokenRequest request, string? userId, string? tenantId, CancellationToken cancellationToken)
    {
        var scopes = ScopeSyntax.Normalize(request.Scopes, nameof(request) + "." + nameof(request.Scopes));
        var caller = await CallerAsync(request.AppId, cancellationToken);
        DescopeCredential credential;
        if (caller is not null)
        {
            // A machine's token may not stand for a user, and the management key never stands in for a caller.
            if (owner == ConnectionOwner.User && caller.IsMachine)
            {
                throw MachineCallerRefused(request.AppId);
            }

            credential = Credential(caller, request.AppId);
        }
        else if (request.UseManagementKey && !string.IsNullOrEmpty(_options.ManagementKey))
        {
            ConnectionsLog.ManagementKeyUsed(_logger, request.AppId);
            credential = new DescopeCredential(_options.ManagementKey, isManagementKey: true);
        }
        else
        {
            // Never inferred from a missing request: tools can run without an HttpContext (per-session execution
            // contexts, work that outlives its request), and the key would let them fetch anyone's tokens past Descope's
            // policies.
            throw new InvalidOperationException(request.UseManagementKey
                ? "UseManagementKey was set, but Descope:ManagementKey is not configured."
                : "A connection token was requested without an authenticated Descope caller. Call it from a tool on a " +
                  "Descope-protected endpoint, or, for background work, set UseManagementKey and configure Descope:ManagementKey " +
                  "(requests made with it bypass Descope's connection policies).");
        }

        // The connect URL is the caller's own; it is only looked up when the caller asked for themselves.
        var resolveConnectUrl = _options.Connections.IncludeConnectUrlInErrors && caller is not null && owner == ConnectionOwner.User
            && string.Equals(caller.UserId, userId, StringComparison.Ordinal);
        return new ConnectionFetch(owner, request.AppId, userId, tenantId, scopes, request.WithRefreshToken, request.ForceRefresh,
            credential, resolveConnectUrl);
    }

    /// <summary>The call's caller; a caller whose token no longer validates is refused, never taken for no caller.</summary>
    private async Task<McpCaller?> CallerAsync(string appId, CancellationToken cancellationToken)
    {
        var lookup = await _callers.GetAsync(cancellationToken);
        if (!lookup.IsRefused)
        {
            return lookup.Caller;
        }

        ConnectionsLog.CallerTokenRefused(_logger, appId, lookup.Refused);
        throw lookup.Refused == DescopeTokenFailure.AuthorityUnavailable
            ? new ConnectionTokenException(ConnectionTokenFailure.Unavailable, appId, ConnectionTokenMessages.Unavailable(appId))
            : new ConnectionTokenException(ConnectionTokenFailure.CallerTokenInvalid, appId, ConnectionTokenMessages.CallerTokenInvalid(appId));
    }

    private async Task<McpCaller> RequireUserAsync(string appId, string method, CancellationToken cancellationToken)
    {
        var caller = await CallerAsync(appId, cancellationToken);
        if (caller is { IsMachine: true })
        {
            throw MachineCallerRefused(appId);
        }

        return caller is { UserId: not null }
            ? caller
            : throw new InvalidOperationException(
                $"{method} without a user ID needs the current request's authenticated Descope caller (a token with 'sub'). " +
                "Call it from an MCP tool on a Descope-protected endpoint, or use the overload that names the user.");
    }

    private ConnectionTokenException MachineCallerRefused(string appId)
    {
        ConnectionsLog.MachineCallerRefused(_logger, appId);
        return new ConnectionTokenException(ConnectionTokenFailure.MachineCaller, appId, ConnectionTokenMessages.MachineCaller(appId));
    }

    private DescopeCredential Credential(McpCaller caller, string appId) =>
        caller.IsDPoP && _options.DPoP.BoundTokenForwarding == DPoPBoundTokenForwarding.Refuse
            ? throw new ConnectionTokenException(ConnectionTokenFailure.DPoPBoundToken, appId, ConnectionTokenMessages.DPoPBoundToken(appId))
            : new(caller.Token, isManagementKey: false, lacksTokenFetchScope: !DescopeClaims.HasScope(caller.Principal, DescopeConnectionApi.TokenFetchScope));

    private static void CheckId(string? value, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameter);
        CheckOptionalId(value, parameter);
    }

    private static void CheckOptionalId(string? value, string parameter)
    {
        if (value is not null && (value.Length == 0 || value.Length > 256 || value.Any(char.IsControl)))
        {
            throw new ArgumentException("The value must be 1 to 256 characters without control characters.", parameter);
        }
    }
}
