using System.Runtime.CompilerServices;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Internal;

namespace Descope.Mcp.AspNetCore.Descope;

/// <summary>
/// The scopes one validated identity holds once <see cref="DescopeMcpOptions.ScopeHierarchy"/> is applied: what its token
/// grants plus every narrower scope those imply. Attached to the identity when its token is validated and worked out on
/// first use, so a request expands its scopes once however many checks it makes. An identity without one (a copy made
/// by app code, or a server without a hierarchy) holds exactly the scopes its claims name.
/// </summary>
internal sealed class ExpandedScopes
{
    private static readonly ConditionalWeakTable<ClaimsIdentity, ExpandedScopes> Attached = [];

    // Spares the table lookup on every scope check in processes where no hierarchy was ever configured.
    private static volatile bool s_anyAttached;

    private readonly ClaimsIdentity _identity;
    private readonly ScopeHierarchy _hierarchy;
    private HashSet<string>? _scopes;

    private ExpandedScopes(ClaimsIdentity identity, ScopeHierarchy hierarchy)
    {
        _identity = identity;
        _hierarchy = hierarchy;
    }

    /// <summary>Applies the hierarchy to the scopes of every identity of a freshly validated principal.</summary>
    public static void Attach(ClaimsPrincipal principal, ScopeHierarchy hierarchy)
    {
        if (hierarchy.IsEmpty)
        {
            return;
        }

        s_anyAttached = true;
        foreach (var identity in principal.Identities)
        {
            Attached.AddOrUpdate(identity, new ExpandedScopes(identity, hierarchy));
        }
    }

    /// <summary>The expanded scopes of the identity, or <see langword="null"/> when none were attached.</summary>
    public static ExpandedScopes? Of(ClaimsIdentity identity) =>
        s_anyAttached && Attached.TryGetValue(identity, out var expanded) ? expanded : null;

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
