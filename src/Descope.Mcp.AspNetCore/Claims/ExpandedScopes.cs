using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication;

namespace Descope.Mcp.AspNetCore.Claims;

/// <summary>
/// The scopes one validated identity holds once <see cref="DescopeMcpOptions.ScopeHierarchy"/> is applied: what its token
/// grants plus every narrower scope those imply. Held by the request's <see cref="DescopeIdentity"/> and worked out on
/// first use, so a request expands its scopes once however many checks it makes. An identity without one (a copy made
/// by app code, or a server without a hierarchy) holds exactly the scopes its claims name.
/// </summary>
internal sealed class ExpandedScopes
{
    private readonly ClaimsIdentity _identity;
    private readonly ScopeHierarchy _hierarchy;
    private HashSet<string>? _scopes;

    public ExpandedScopes(ClaimsIdentity identity, ScopeHierarchy hierarchy)
    {
        _identity = identity;
        _hierarchy = hierarchy;
    }

    /// <summary>The expanded scopes of the identity, or <see langword="null"/> when it has none.</summary>
    public static ExpandedScopes? Of(ClaimsIdentity identity) => (identity as DescopeIdentity)?.ExpandedScopes;

    public bool Contains(string scope) => (_scopes ??= Expand()).Contains(scope);

    private HashSet<string> Expand()
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var granted in DescopeClaims.LiteralScopes(_identity))
        {
            if (scopes.Add(granted))
            {
                scopes.UnionWith(_hierarchy.ImpliedBy(granted));
            }
        }

        return scopes;
    }
}
