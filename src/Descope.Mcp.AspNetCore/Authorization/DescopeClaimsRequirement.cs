using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The caller must hold every one of <see cref="RequiredValues"/> of a Descope role or permission claim
/// (<see cref="ClaimType"/>): each as a project-level value (the top-level claim) or as a value of the current tenant
/// (<c>dct</c>, in the <c>tenants</c> claim). It handles itself, so it needs no handler registration. A failure is a plain
/// 403: no scope a client could ask for would satisfy it.
/// </summary>
public sealed class DescopeClaimsRequirement : IAuthorizationRequirement, IAuthorizationHandler
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="claimType"><see cref="DescopeClaimTypes.Roles"/> or <see cref="DescopeClaimTypes.Permissions"/>.</param>
    /// <param name="requiredValues">The roles or permissions that must all be held; at least one.</param>
    public DescopeClaimsRequirement(string claimType, IEnumerable<string> requiredValues)
    {
        if (claimType is not (DescopeClaimTypes.Roles or DescopeClaimTypes.Permissions))
        {
            throw new ArgumentException($"The claim type must be {DescopeClaimTypes.Roles} or {DescopeClaimTypes.Permissions}.", nameof(claimType));
        }

        ClaimType = claimType;
        RequiredValues = RequirementValues.Names(requiredValues, nameof(requiredValues));
    }

    /// <summary><see cref="DescopeClaimTypes.Roles"/> or <see cref="DescopeClaimTypes.Permissions"/>.</summary>
    public string ClaimType { get; }

    /// <summary>The roles or permissions required.</summary>
    public IReadOnlyList<string> RequiredValues { get; }

    Task IAuthorizationHandler.HandleAsync(AuthorizationHandlerContext context) =>
        SelfHandlingRequirement.HandleAsync<DescopeClaimsRequirement>(context, static (requirement, user) => requirement.IsSatisfiedBy(user));

    internal bool IsSatisfiedBy(ClaimsPrincipal user) => DescopeClaims.HasAll(user, ClaimType, RequiredValues);

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(DescopeClaimsRequirement)}: the caller must hold all of these {ClaimType}, in the project or the current tenant: {string.Join(", ", RequiredValues)}";
}
