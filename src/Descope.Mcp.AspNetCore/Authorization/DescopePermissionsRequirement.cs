using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Descope;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The caller must hold every one of <see cref="Permissions"/>, each as a project permission (top-level
/// <c>permissions</c>) or as a permission of the current tenant (<c>dct</c> in <c>tenants</c>). It handles itself, so it
/// needs no handler registration.
/// </summary>
public sealed class DescopePermissionsRequirement : AuthorizationHandler<DescopePermissionsRequirement>, IAuthorizationRequirement, IDescopeClaimRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="permissions">The permissions that must all be held; at least one.</param>
    public DescopePermissionsRequirement(IEnumerable<string> permissions)
    {
        Permissions = RequirementValues.Names(permissions, nameof(permissions));
    }

    /// <summary>The required permissions.</summary>
    public IReadOnlyList<string> Permissions { get; }

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DescopePermissionsRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (((IDescopeClaimRequirement)requirement).IsSatisfiedBy(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    bool IDescopeClaimRequirement.IsSatisfiedBy(ClaimsPrincipal user) => DescopeClaims.HasAll(user, DescopeClaimTypes.Permissions, Permissions);

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(DescopePermissionsRequirement)}: the caller must hold all of these permissions, in the project or the current tenant: {string.Join(", ", Permissions)}";
}
