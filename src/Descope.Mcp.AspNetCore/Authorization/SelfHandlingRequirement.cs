using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// The handling shared by the Descope requirements, which handle themselves (ASP.NET Core's pass-through handler calls
/// them): every pending requirement of the type that the caller satisfies succeeds.
/// </summary>
internal static class SelfHandlingRequirement
{
    public static Task HandleAsync<TRequirement>(AuthorizationHandlerContext context, Func<TRequirement, ClaimsPrincipal, bool> isSatisfiedBy)
        where TRequirement : IAuthorizationRequirement
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var requirement in context.PendingRequirements.OfType<TRequirement>().ToArray())
        {
            if (isSatisfiedBy(requirement, context.User))
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}
