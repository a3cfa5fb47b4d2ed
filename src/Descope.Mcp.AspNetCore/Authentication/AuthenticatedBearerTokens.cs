using System.Runtime.CompilerServices;
using System.Security.Claims;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Remembers which bearer token each identity this library authenticated came from, so the token that authorised an
/// MCP message can be found from the message's <see cref="ClaimsPrincipal"/> alone (the legacy SSE transport runs
/// handlers in the stream's request, not in the request that carried the message). The token stays off the
/// principal itself: nothing that is handed the principal can read it, and the entry lives only as long as the
/// identity.
/// </summary>
internal static class AuthenticatedBearerTokens
{
    private static readonly ConditionalWeakTable<ClaimsIdentity, string> Tokens = new();

    public static void Remember(ClaimsPrincipal principal, string token)
    {
        foreach (var identity in principal.Identities)
        {
            Tokens.AddOrUpdate(identity, token);
        }
    }

    /// <summary>The token one of the principal's identities was authenticated with, or <see langword="null"/>.</summary>
    public static string? Find(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return null;
        }

        foreach (var identity in principal.Identities)
        {
            if (Tokens.TryGetValue(identity, out var token))
            {
                return token;
            }
        }

        return null;
    }
}
