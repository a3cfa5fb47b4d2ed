using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The identity of a caller whose Descope token was accepted: a copy of the validated claims made for one request (app
/// code may change its principal without reaching other requests), which also knows two things off its claims: the
/// bearer token it came from, so the token that authorised an MCP message can be found from the message's principal
/// alone (the legacy SSE transport runs handlers in the stream's request, not in the request that carried the message),
/// and its scopes expanded by the scope hierarchy, worked out once per request.
/// </summary>
/// <remarks>
/// Nothing that is handed the principal can read the token: it is not a claim, and unlike the identity JwtBearer's token
/// handler builds, this one carries no <see cref="CaseSensitiveClaimsIdentity.SecurityToken"/>. A copy app code makes
/// (<see cref="ClaimsIdentity.Clone"/>) is a plain <see cref="CaseSensitiveClaimsIdentity"/> and knows neither.
/// </remarks>
internal sealed class DescopeIdentity : CaseSensitiveClaimsIdentity
{
    private DescopeIdentity(ClaimsIdentity validated, string bearerToken, ScopeHierarchy scopeHierarchy)
        : base(validated)
    {
        BearerToken = bearerToken;
        ExpandedScopes = scopeHierarchy.IsEmpty ? null : new ExpandedScopes(this, scopeHierarchy);
    }

    /// <summary>The token this identity was authenticated with.</summary>
    public string BearerToken { get; }

    /// <summary>The identity's scopes under the hierarchy, or <see langword="null"/> when none is configured.</summary>
    public ExpandedScopes? ExpandedScopes { get; }

    /// <summary>Whether the caller is a machine client, as <see cref="DescopeMcpOptions.MachineCallers"/> decided for this request.</summary>
    public bool IsMachineCaller { get; private set; }

    /// <summary>
    /// A principal of its own for one request, holding a copy of <paramref name="validated"/>, judged once by
    /// <paramref name="machineCallers"/>.
    /// </summary>
    public static ClaimsPrincipal PrincipalFor(ClaimsIdentity validated, string bearerToken, ScopeHierarchy scopeHierarchy, MachineCallerOptions machineCallers)
    {
        var identity = new DescopeIdentity(validated, bearerToken, scopeHierarchy);
        var principal = new ClaimsPrincipal(identity);
        identity.IsMachineCaller = machineCallers.IsMachineCaller(principal);
        return principal;
    }

    /// <summary>What was decided for the principal's Descope identity, or <see langword="null"/> when it has none.</summary>
    public static bool? IsMachineCallerOf(ClaimsPrincipal principal)
    {
        foreach (var identity in principal.Identities)
        {
            if (identity is DescopeIdentity descope)
            {
                return descope.IsMachineCaller;
            }
        }

        return null;
    }

    /// <summary>The token one of the principal's identities was authenticated with, or <see langword="null"/>.</summary>
    public static string? BearerTokenOf(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return null;
        }

        foreach (var identity in principal.Identities)
        {
            if (identity is DescopeIdentity descope)
            {
                return descope.BearerToken;
            }
        }

        return null;
    }
}
