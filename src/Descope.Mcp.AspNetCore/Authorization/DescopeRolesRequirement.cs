using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Descope;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The caller must hold every one of <see cref="Roles"/>, each as a project role (top-level <c>roles</c>) or as a role of
/// the current tenant (<c>dct</c> in <c>tenants</c>). It handles itself, so it needs no handler registration.
/// </summary>
public sealed class DescopeRolesRequirement : AuthorizationHandler<DescopeRolesRequirement>, IAuthorizationRequirement, IDescopeClaimRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="roles">The roles that must all be held; at least one.</param>
    public DescopeRolesRequirement(IEnumerable<string> roles)
    {
        Roles = RequirementValues.Names(roles, nameof(roles));
    }

    /// <summary>The required roles.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DescopeRolesRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (((IDescopeClaimRequirement)requirement).IsSatisfiedBy(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    bool IDescopeClaimRequirement.IsSatisfiedBy(ClaimsPrincipal user) => DescopeClaims.HasAll(user, DescopeClaimTypes.Roles, Roles);

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(DescopeRolesRequirement)}: the caller must hold all of these roles, in the project or the current tenant: {string.Join(", ", Roles)}";
}
