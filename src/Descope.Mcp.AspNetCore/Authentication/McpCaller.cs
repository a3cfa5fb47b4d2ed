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
}
