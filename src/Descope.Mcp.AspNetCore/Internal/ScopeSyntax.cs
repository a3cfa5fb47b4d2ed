namespace Descope.Mcp.AspNetCore.Internal;

/// <summary>
/// RFC 6749 §3.3 scope tokens: one or more of %x21 / %x23-5B / %x5D-7E. Such a token is always safe inside a quoted
/// header parameter.
/// </summary>
internal static class ScopeSyntax
{
    /// <summary>The scope that asks for a refresh token; a resource server never advertises or demands it.</summary>
    public const string OfflineAccess = "offline_access";

    public static bool IsValidScope(string? scope)
    {
        if (string.IsNullOrEmpty(scope))
        {
            return false;
        }

        foreach (var c in scope)
        {
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
