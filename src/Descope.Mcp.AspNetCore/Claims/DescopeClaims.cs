using System.Security.Claims;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore.Claims;

/// <summary>
/// Reads Descope claims from a principal. This is the one place that judges scopes: <see cref="HasScope"/> and
/// <see cref="MissingScopes"/> count a scope as granted when the token names it or, under
/// <see cref="DescopeMcpOptions.ScopeHierarchy"/>, a broader scope the token names implies it. Without a hierarchy the
/// checks scan the claims in place and allocate nothing.
/// </summary>
internal static class DescopeClaims
{
    private static readonly string[] ScopeClaimTypes = [DescopeClaimTypes.Scope, DescopeClaimTypes.Scp, DescopeClaimTypes.Scopes];

    /// <summary>
    /// Whether <c>scope</c> (space-separated) or an <c>scp</c>/<c>scopes</c> value grants the scope, itself or through the
    /// scope hierarchy.
    /// </summary>
    public static bool HasScope(ClaimsPrincipal user, string scope)
    {
        foreach (var identity in user.Identities)
        {
            if (ExpandedScopes.Of(identity) is { } expanded)
            {
                if (expanded.Contains(scope))
                {
                    return true;
                }

                continue;
            }

            foreach (var claim in identity.Claims)
            {
                if (IsScopeClaim(claim.Type) && ContainsToken(claim.Value, scope))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The required scopes the caller is not granted, each once, in the order they were required.</summary>
    public static string[] MissingScopes(ClaimsPrincipal user, IEnumerable<string> required)
    {
        List<string>? missing = null;
        foreach (var scope in required)
        {
            if (!HasScope(user, scope) && !(missing ??= []).Contains(scope, StringComparer.Ordinal))
            {
                missing.Add(scope);
            }
        }

        return missing is null ? [] : [.. missing];
    }

    /// <summary>The scopes one identity's claims name, as written (no hierarchy).</summary>
    public static IEnumerable<string> LiteralScopes(ClaimsIdentity identity)
    {
        foreach (var claim in identity.Claims)
        {
            if (IsScopeClaim(claim.Type))
            {
                foreach (var scope in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return scope;
                }
            }
        }
    }

    public static bool HasAllScopes(ClaimsPrincipal user, IReadOnlyList<string> scopes)
    {
        for (var i = 0; i < scopes.Count; i++)
        {
            if (!HasScope(user, scopes[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every scope the token names once, in token order; scopes they imply are not listed.</summary>
    public static List<string> Scopes(ClaimsPrincipal user)
    {
        var scopes = new List<string>();
        foreach (var type in ScopeClaimTypes)
        {
            foreach (var claim in user.FindAll(type))
            {
                foreach (var scope in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!scopes.Contains(scope, StringComparer.Ordinal))
                    {
                        scopes.Add(scope);
                    }
                }
            }
        }

        return scopes;
    }

    /// <summary>Whether every value is a project-level claim value or in the current tenant's list of the same name.</summary>
    /// <param name="user">The caller.</param>
    /// <param name="claimType"><see cref="DescopeClaimTypes.Roles"/> or <see cref="DescopeClaimTypes.Permissions"/>.</param>
    /// <param name="required">The values that must all be present.</param>
    public static bool HasAll(ClaimsPrincipal user, string claimType, IReadOnlyList<string> required)
    {
        List<string>? tenantValues = null;
        for (var i = 0; i < required.Count; i++)
        {
            if (user.HasClaim(claimType, required[i]))
            {
                continue;
            }

            tenantValues ??= TenantValues(user, CurrentTenant(user), claimType);
            if (!tenantValues.Contains(required[i], StringComparer.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public static string? CurrentTenant(ClaimsPrincipal user) => NonEmpty(user.FindFirst(DescopeClaimTypes.CurrentTenant)?.Value);

    /// <summary>
    /// The <paramref name="listName"/> array (<c>roles</c> or <c>permissions</c>) of one tenant in the <c>tenants</c> claim,
    /// or an empty list when the tenant, the list or the claim is absent or not shaped as Descope writes it.
    /// </summary>
    public static List<string> TenantValues(ClaimsPrincipal user, string? tenantId, string listName)
    {
        var values = new List<string>();
        if (tenantId is null || user.FindFirst(DescopeClaimTypes.Tenants)?.Value is not { Length: > 0 } json)
        {
            return values;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(tenantId, out var tenant)
                && tenant.ValueKind == JsonValueKind.Object
                && tenant.TryGetProperty(listName, out var list)
                && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } value && !values.Contains(value, StringComparer.Ordinal))
                    {
                        values.Add(value);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // A claim that is not JSON grants nothing; it never fails the request.
        }

        return values;
    }

    /// <summary>The tenant IDs of the <c>tenants</c> claim, in token order.</summary>
    public static List<string> TenantIds(ClaimsPrincipal user)
    {
        var ids = new List<string>();
        if (user.FindFirst(DescopeClaimTypes.Tenants)?.Value is not { Length: > 0 } json)
        {
            return ids;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var tenant in document.RootElement.EnumerateObject())
                {
                    ids.Add(tenant.Name);
                }
            }
        }
        catch (JsonException)
        {
            // As above: an unreadable claim means no tenants.
        }

        return ids;
    }

    /// <summary>Distinct non-empty values of a claim that may be repeated (a JSON array) or single.</summary>
    public static List<string> Values(ClaimsPrincipal user, string claimType)
    {
        var values = new List<string>();
        foreach (var claim in user.FindAll(claimType))
        {
            if (claim.Value.Length > 0 && !values.Contains(claim.Value, StringComparer.Ordinal))
            {
                values.Add(claim.Value);
            }
        }

        return values;
    }

    public static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool IsScopeClaim(string type) =>
        type is DescopeClaimTypes.Scope or DescopeClaimTypes.Scp or DescopeClaimTypes.Scopes;

    private static bool ContainsToken(string value, string scope)
    {
        var remaining = value.AsSpan();
        while (remaining.Length > 0)
        {
            var space = remaining.IndexOf(' ');
            var token = space < 0 ? remaining : remaining[..space];
            if (token.SequenceEqual(scope))
            {
                return true;
            }

            if (space < 0)
            {
                break;
            }

            remaining = remaining[(space + 1)..];
        }

        return false;
    }
}
