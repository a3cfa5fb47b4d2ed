using Descope.Mcp.AspNetCore.Internal;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>Checks the values given to a Descope requirement, once, when the attribute or policy is built.</summary>
internal static class RequirementValues
{
    /// <summary>Scopes: at least one, each an RFC 6749 scope token (so it can go into a challenge header as it is).</summary>
    public static string[] Scopes(IEnumerable<string> scopes, string parameterName)
    {
        var values = Distinct(scopes, parameterName);
        foreach (var scope in values)
        {
            if (!ScopeSyntax.IsValidScope(scope))
            {
                throw new ArgumentException(
                    $"'{scope}' is not a valid OAuth scope: use printable ASCII without spaces, quotes or backslashes, for example calendar.read.",
                    parameterName);
            }
        }

        return values;
    }

    /// <summary>Role or permission names: at least one, none empty.</summary>
    public static string[] Names(IEnumerable<string> names, string parameterName)
    {
        var values = Distinct(names, parameterName);
        if (values.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Names must not be empty.", parameterName);
        }

        return values;
    }

    private static string[] Distinct(IEnumerable<string> values, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(values, parameterName);
        string[] distinct = [.. values.Distinct(StringComparer.Ordinal)];
        if (distinct.Length == 0)
        {
            throw new ArgumentException("At least one value is required.", parameterName);
        }

        if (distinct.Any(v => v is null))
        {
            throw new ArgumentException("Values must not be null.", parameterName);
        }

        return distinct;
    }
}
