namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Requires the caller to hold every listed Descope role (all-of): as a project role (the top-level <c>roles</c> claim)
/// or as a role in the current tenant (<c>dct</c>, from the <c>tenants</c> claim). A caller without them gets HTTP 403
/// with no step-up hint, since a role is not something a client can ask for.
/// </summary>
/// <example><code>[McpServerTool, RequireRoles("Tenant Admin")]</code></example>
public sealed class RequireRolesAttribute : DescopeAuthorizationAttribute
{
    /// <summary>Requires every one of the roles.</summary>
    /// <param name="roles">Descope role names; at least one.</param>
    public RequireRolesAttribute(params string[] roles)
        : this(new DescopeClaimsRequirement(DescopeClaimTypes.Roles, roles))
    {
    }

    private RequireRolesAttribute(DescopeClaimsRequirement requirement)
        : base(requirement) => Roles = requirement.RequiredValues;

    /// <summary>The required roles.</summary>
    public IReadOnlyList<string> Roles { get; }
}
