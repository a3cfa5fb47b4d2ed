using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Claims;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Reads the Descope claims of a validated caller: user, client, scopes, tenants, roles and permissions.
/// </summary>
public static class DescopeClaimsPrincipalExtensions
{
    /// <summary>
    /// The Descope user ID (<c>sub</c>), or <see langword="null"/> when absent or when the caller is a machine
    /// (<see cref="IsMachineCaller"/>): a client's ID is never taken for a user's.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <returns>The user ID.</returns>
    public static string? GetUserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return IsMachineCaller(user) ? null : DescopeClaims.NonEmpty(user.FindFirst(DescopeClaimTypes.Subject)?.Value);
    }

    /// <summary>
    /// The OAuth client the token was issued to (<c>azp</c>, else <c>client_id</c>), or <see langword="null"/> when the
    /// token names none.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <returns>The client ID.</returns>
    public static string? GetClientId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return ClientIdOf(user);
    }

    /// <summary>
    /// Whether the caller is a machine client acting for itself (a <c>client_credentials</c> token) rather than a user.
    /// For a principal this library validated, the answer of <see cref="DescopeMcpOptions.MachineCallers"/>, worked out
    /// once per request; for any other principal, <see cref="MachineCallerOptions.IsClientCredentialsToken"/>.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <returns><see langword="true"/> for a machine caller.</returns>
    public static bool IsMachineCaller(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeIdentity.IsMachineCallerOf(user) ?? MachineCallerOptions.IsClientCredentialsToken(user);
    }

    internal static string? ClientIdOf(ClaimsPrincipal user) =>
        DescopeClaims.NonEmpty(user.FindFirst(DescopeClaimTypes.AuthorizedParty)?.Value)
        ?? DescopeClaims.NonEmpty(user.FindFirst(DescopeClaimTypes.ClientId)?.Value);

    /// <summary>
    /// The scopes the token names (without those they imply under <see cref="DescopeMcpOptions.ScopeHierarchy"/>): the space-separated <c>scope</c> claim and the <c>scp</c> and <c>scopes</c> arrays, each scope
    /// once, in token order.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <returns>The scopes; empty when the token grants none.</returns>
    public static IReadOnlyList<string> GetScopes(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.Scopes(user);
    }

    /// <summary>
    /// Whether the token grants every one of the scopes, itself or through a broader scope that implies it
    /// (<see cref="DescopeMcpOptions.ScopeHierarchy"/>).
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <param name="scopes">The scopes that must all be granted.</param>
    /// <returns><see langword="true"/> when none is missing.</returns>
    public static bool HasScopes(this ClaimsPrincipal user, params IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(scopes);
        return DescopeClaims.MissingScopes(user, scopes).Length == 0;
    }

    /// <summary>
    /// Requires every one of the scopes, for checks inside a tool, like <c>require_scopes</c> of Descope's Python SDK.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <param name="scopes">The scopes that must all be granted.</param>
    /// <exception cref="InsufficientScopeException">A scope is missing.</exception>
    public static void RequireScopes(this ClaimsPrincipal user, params IEnumerable<string> scopes) =>
        RequireScopes(user, scopes, errorDescription: null);

    /// <summary>
    /// Requires every one of the scopes, for checks inside a tool, like <c>require_scopes</c> of Descope's Python SDK.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <param name="scopes">The scopes that must all be granted.</param>
    /// <param name="errorDescription">
    /// The <see cref="InsufficientScopeException.ErrorDescription"/> to report instead of the default, which names the
    /// missing scopes.
    /// </param>
    /// <exception cref="InsufficientScopeException">A scope is missing.</exception>
    public static void RequireScopes(this ClaimsPrincipal user, IEnumerable<string> scopes, string? errorDescription)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(scopes);
        string[] required = [.. scopes];
        if (DescopeClaims.MissingScopes(user, required).Length > 0)
        {
            throw InsufficientScopeException.For(user, required, errorDescription);
        }
    }

    /// <summary>The current tenant (<c>dct</c>), or <see langword="null"/> when the token names none.</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The tenant ID.</returns>
    public static string? GetCurrentTenant(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.CurrentTenant(user);
    }

    /// <summary>The IDs of the tenants in the <c>tenants</c> claim.</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The tenant IDs; empty when the claim is absent or unreadable.</returns>
    public static IReadOnlyList<string> GetTenants(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.TenantIds(user);
    }

    /// <summary>The project-level roles (the top-level <c>roles</c> claim).</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The roles; empty when the token carries none.</returns>
    public static IReadOnlyList<string> GetRoles(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.Values(user, DescopeClaimTypes.Roles);
    }

    /// <summary>The project-level permissions (the top-level <c>permissions</c> claim).</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The permissions; empty when the token carries none.</returns>
    public static IReadOnlyList<string> GetPermissions(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.Values(user, DescopeClaimTypes.Permissions);
    }

    /// <summary>A tenant's roles from the <c>tenants</c> claim.</summary>
    /// <param name="user">The caller.</param>
    /// <param name="tenantId">The tenant; <see langword="null"/> (the default) means the current tenant (<c>dct</c>).</param>
    /// <returns>The roles; empty when the tenant or its roles are absent.</returns>
    public static IReadOnlyList<string> GetTenantRoles(this ClaimsPrincipal user, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.TenantValues(user, tenantId ?? DescopeClaims.CurrentTenant(user), DescopeClaimTypes.Roles);
    }

    /// <summary>A tenant's permissions from the <c>tenants</c> claim.</summary>
    /// <param name="user">The caller.</param>
    /// <param name="tenantId">The tenant; <see langword="null"/> (the default) means the current tenant (<c>dct</c>).</param>
    /// <returns>The permissions; empty when the tenant or its permissions are absent.</returns>
    public static IReadOnlyList<string> GetTenantPermissions(this ClaimsPrincipal user, string? tenantId = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DescopeClaims.TenantValues(user, tenantId ?? DescopeClaims.CurrentTenant(user), DescopeClaimTypes.Permissions);
    }
}
