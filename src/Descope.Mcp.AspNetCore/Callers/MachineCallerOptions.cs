using System.Security.Claims;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// How a machine caller (an OAuth client acting for itself, with a <c>client_credentials</c> token) is told apart from a
/// user, bound from <c>Descope:MachineCallers</c>. A machine caller has no user ID
/// (<see cref="DescopeClaimsPrincipalExtensions.GetUserId"/> is <see langword="null"/>), gets no user's connection token
/// and no connect URL, and keeps its client identity (<see cref="DescopeClaimsPrincipalExtensions.GetClientId"/>).
/// The rule is applied once per request, when the token is validated.
/// </summary>
public sealed class MachineCallerOptions
{
    /// <summary>
    /// Clients whose tokens are always machine callers, whatever their <c>sub</c>, for clients whose tokens name a
    /// subject of their own. Matched against <see cref="DescopeClaimsPrincipalExtensions.GetClientId"/>. Bound as
    /// <c>Descope:MachineCallers:ClientIds:0=reporting-service</c>. Empty by default.
    /// </summary>
    public IList<string> ClientIds { get; } = [];

    /// <summary>
    /// Decides, for a token that is not of one of the <see cref="ClientIds"/>, whether it is a machine caller. Default:
    /// <see cref="IsClientCredentialsToken"/>. Set in code only.
    /// </summary>
    public Func<ClaimsPrincipal, bool> Predicate { get; set; } = IsClientCredentialsToken;

    /// <summary>
    /// The default rule (RFC 9068, section 2.2): a token is a client's own when it has no <c>sub</c>, or when its
    /// <c>sub</c> equals its client ID (<c>azp</c> or <c>client_id</c>).
    /// </summary>
    /// <param name="principal">The validated caller.</param>
    /// <returns><see langword="true"/> for a machine caller.</returns>
    public static bool IsClientCredentialsToken(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var subject = principal.FindFirst(DescopeClaimTypes.Subject)?.Value;
        if (string.IsNullOrEmpty(subject))
        {
            return true;
        }

        return string.Equals(subject, principal.FindFirst(DescopeClaimTypes.AuthorizedParty)?.Value, StringComparison.Ordinal)
            || string.Equals(subject, principal.FindFirst(DescopeClaimTypes.ClientId)?.Value, StringComparison.Ordinal);
    }

    /// <summary>Whether <paramref name="principal"/> is a machine caller under these options.</summary>
    internal bool IsMachineCaller(ClaimsPrincipal principal) =>
        (ClientIds.Count > 0 && DescopeClaimsPrincipalExtensions.ClientIdOf(principal) is { } clientId && ClientIds.Contains(clientId, StringComparer.Ordinal))
        || Predicate(principal);
}
