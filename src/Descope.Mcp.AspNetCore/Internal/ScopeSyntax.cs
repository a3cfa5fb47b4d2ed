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

    /// <summary>The scopes, each checked, without duplicates, in their order; none when <see langword="null"/>.</summary>
    public static List<string> Normalize(IEnumerable<string>? scopes, string parameter)
    {
        if (scopes is null)
        {
            return [];
        }

        var result = new List<string>();
        foreach (var scope in scopes)
        {
            if (!IsValidScope(scope))
            {
                throw new ArgumentException("Each scope must be a non-empty OAuth scope without spaces, quotes or backslashes.", parameter);
            }

            if (!result.Contains(scope, StringComparer.Ordinal))
            {
                result.Add(scope);
            }
        }

        return result;
    }
}
