using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication;

namespace Descope.Mcp.AspNetCore.Callers;

/// <summary>
/// The validated caller of the current MCP call and the bearer token that authorised it: the one credential this
/// library ever forwards to Descope on a caller's behalf.
/// </summary>
internal sealed record McpCaller(ClaimsPrincipal Principal, string Token)
{
    /// <summary>The caller's Descope user ID (<c>sub</c>); <see langword="null"/> for a machine caller or a token without one.</summary>
    public string? UserId => Principal.GetUserId();

    /// <summary>Whether the caller is a machine client rather than a user (see <see cref="DescopeMcpOptions.MachineCallers"/>).</summary>
    public bool IsMachine => Principal.IsMachineCaller();

    /// <summary>Whether the caller presented a DPoP-bound token with its proof, so <see cref="Token"/> is bound to their key.</summary>
    public bool IsDPoP => DescopeIdentity.IsDPoP(Principal);
}
