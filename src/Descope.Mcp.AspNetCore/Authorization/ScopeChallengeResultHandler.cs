using Descope.Mcp.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Answers an endpoint's authorization failure like ASP.NET Core does, except that a failed
/// <see cref="DescopeScopesRequirement"/> forbids with the scopes the endpoint needs, which the Descope scheme turns into
/// an <c>insufficient_scope</c> challenge. Unauthenticated callers are still challenged (401), never forbidden.
/// </summary>
internal sealed class ScopeChallengeResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    // Not async itself: an authorized request goes on to the endpoint without a state machine of this handler around it.
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        !authorizeResult.Forbidden || authorizeResult.AuthorizationFailure?.FailedRequirements.Any(r => r is DescopeScopesRequirement) != true
            ? _default.HandleAsync(next, context, policy, authorizeResult)
            : ForbidWithScopesAsync(context, policy);

    private static async Task ForbidWithScopesAsync(HttpContext context, AuthorizationPolicy policy)
    {
        IReadOnlyCollection<string> scopes =
            [.. policy.Requirements.OfType<DescopeScopesRequirement>().SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal)];
        context.Items[DescopeJwtBearerEvents.RequiredScopesItem] = scopes;
        if (policy.AuthenticationSchemes.Count == 0)
        {
            await context.ForbidAsync();
            return;
        }

        foreach (var scheme in policy.AuthenticationSchemes)
        {
            await context.ForbidAsync(scheme);
        }
    }
}
