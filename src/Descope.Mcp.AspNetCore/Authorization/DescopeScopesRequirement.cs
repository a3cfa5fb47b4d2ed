using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The access token must grant every one of <see cref="Scopes"/> (in <c>scope</c>, <c>scp</c> or <c>scopes</c>), itself or
/// through a broader scope that implies it (<see cref="DescopeMcpOptions.ScopeHierarchy"/>). It handles
/// itself, so it needs no handler registration. A failure of this requirement is answered with an
/// <c>insufficient_scope</c> challenge that names the scopes.
/// </summary>
public sealed class DescopeScopesRequirement : IAuthorizationRequirement, IAuthorizationHandler
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="scopes">The scopes that must all be granted; at least one.</param>
    public DescopeScopesRequirement(IEnumerable<string> scopes)
    {
        Scopes = RequirementValues.Scopes(scopes, nameof(scopes));
    }

    /// <summary>The required scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }

    Task IAuthorizationHandler.HandleAsync(AuthorizationHandlerContext context) =>
        SelfHandlingRequirement.HandleAsync<DescopeScopesRequirement>(context, static (requirement, user) => requirement.IsSatisfiedBy(user));

    internal bool IsSatisfiedBy(ClaimsPrincipal user) => DescopeClaims.HasAllScopes(user, Scopes);

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(DescopeScopesRequirement)}: the access token must grant all of these scopes: {string.Join(' ', Scopes)}";
}
