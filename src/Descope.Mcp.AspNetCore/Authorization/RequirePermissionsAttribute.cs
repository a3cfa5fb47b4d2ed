namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Requires the caller to hold every listed Descope permission (all-of): as a project permission (the top-level
/// <c>permissions</c> claim) or as a permission in the current tenant (<c>dct</c>, from the <c>tenants</c> claim). A caller
/// without them gets HTTP 403 with no step-up hint.
/// </summary>
/// <example><code>[McpServerTool, RequirePermissions("invoices:approve")]</code></example>
public sealed class RequirePermissionsAttribute : DescopeAuthorizationAttribute
{
    /// <summary>Requires every one of the permissions.</summary>
    /// <param name="permissions">Descope permission names; at least one.</param>
    public RequirePermissionsAttribute(params string[] permissions)
        : this(new DescopeClaimsRequirement(DescopeClaimTypes.Permissions, permissions))
    {
    }

    private RequirePermissionsAttribute(DescopeClaimsRequirement requirement)
        : base(requirement) => Permissions = requirement.RequiredValues;

    /// <summary>The required permissions.</summary>
    public IReadOnlyList<string> Permissions { get; }
}
