using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The validated caller of the current MCP call and the bearer token that authorised it: the one credential this
/// library ever forwards to Descope on a caller's behalf.
/// </summary>
internal sealed record McpCaller(ClaimsPrincipal Principal, string Token)
{
    /// <summary>The caller's Descope user ID (<c>sub</c>), when the token has one.</summary>
    public string? UserId => Principal.FindFirst(DescopeClaimTypes.Subject)?.Value;

    /// <summary>Whether the caller presented a DPoP-bound token with its proof, so <see cref="Token"/> is bound to their key.</summary>
    public bool IsDPoP => DescopeIdentity.IsDPoP(Principal);
}
