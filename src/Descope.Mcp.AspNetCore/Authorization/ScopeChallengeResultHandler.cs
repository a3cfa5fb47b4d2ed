using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Answers an endpoint's authorization failure like ASP.NET Core does, except that a failed
/// <see cref="DescopeScopesRequirement"/> forbids with the scopes the endpoint needs, which the Descope scheme turns into
/// an <c>insufficient_scope</c> challenge. Unauthenticated callers are still challenged (401), never forbidden; with
/// <see cref="AnonymousAccess.PublicPrimitives"/>, a request without any credentials to a protected MCP endpoint goes on
/// to the endpoint instead, where the primitive gate lets through only what callers without credentials may do and
/// challenges the rest the same way.
/// </summary>
internal sealed class ScopeChallengeResultHandler(IOptions<DescopeMcpOptions> descopeOptions, IOptions<AuthorizationOptions> authorizationOptions)
    : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();
    private readonly bool _publicPrimitives = descopeOptions.Value.AnonymousAccess == AnonymousAccess.PublicPrimitives;

    // Not async itself: an authorized request goes on to the endpoint without a state machine of this handler around it.
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged && _publicPrimitives)
        {
            return ChallengeOrServeAnonymousAsync(next, context, policy, authorizeResult);
        }

        return !authorizeResult.Forbidden || authorizeResult.AuthorizationFailure?.FailedRequirements.Any(r => r is DescopeScopesRequirement) != true
            ? _default.HandleAsync(next, context, policy, authorizeResult)
            : ForbidWithScopesAsync(context, policy);
    }

    private async Task ChallengeOrServeAnonymousAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (await IsAnonymousMcpRequestAsync(context, policy))
        {
            await next(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// Whether the request goes to an MCP endpoint that only the Descope policy protects, and carries no credentials: no
    /// <c>Authorization</c> or <c>DPoP</c> header, and nothing the Descope scheme took for a token (a refused token is
    /// challenged as usual). Any other policy on the endpoint keeps its own answer.
    /// </summary>
    private async Task<bool> IsAnonymousMcpRequestAsync(HttpContext context, AuthorizationPolicy policy)
    {
        var headers = context.Request.Headers;
        if (context.GetEndpoint() is not { } endpoint
            || endpoint.Metadata.GetMetadata<DescopeProtectionMarker>() is null
            || McpTransportEndpoints.Classify(endpoint) == McpTransport.None
            || headers.ContainsKey(HeaderNames.Authorization)
            || headers.ContainsKey(DPoPAuthentication.ProofHeader)
            || authorizationOptions.Value.GetPolicy(DescopeMcpDefaults.AuthorizationPolicy) is not { } descopePolicy
            || !policy.Requirements.All(requirement => descopePolicy.Requirements.Any(own => ReferenceEquals(own, requirement))))
        {
            return false;
        }

        // The scheme has already authenticated this request; its handler answers again from what it found then.
        return (await context.AuthenticateAsync(DescopeMcpDefaults.AuthenticationScheme)).None;
    }

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
