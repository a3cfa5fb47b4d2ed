using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Claims;

/// <summary>
/// <see cref="DescopeMcpOptions.ScopeHierarchy"/> with implication followed to the end: for each broader scope, every
/// narrower scope it implies, directly or through others. Computed once; the options are validated before it is built.
/// </summary>
internal sealed class ScopeHierarchy
{
    private readonly Dictionary<string, string[]> _implied;

    public ScopeHierarchy(IOptions<DescopeMcpOptions> options)
        : this(options.Value.ScopeHierarchy)
    {
    }

    internal ScopeHierarchy(IDictionary<string, string[]> hierarchy)
    {
        _implied = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var broader in hierarchy.Keys)
        {
            var implied = new List<string>();
            Collect(hierarchy, broader, implied);
            implied.Remove(broader);
            if (implied.Count > 0)
            {
                _implied[broader] = [.. implied];
            }
        }
    }

    public bool IsEmpty => _implied.Count == 0;

    /// <summary>The scopes a granted scope implies, not counting itself.</summary>
    public IReadOnlyList<string> ImpliedBy(string scope) => _implied.TryGetValue(scope, out var implied) ? implied : [];

    /// <summary>Granted scopes and every scope they imply.</summary>
    public HashSet<string> Expand(IEnumerable<string> granted)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in granted)
        {
            if (scopes.Add(scope))
            {
                scopes.UnionWith(ImpliedBy(scope));
            }
        }

        return scopes;
    }

    /// <summary>
    /// The first chain of scopes that leads back to where it started (for example <c>a b a</c>), or <see langword="null"/>
    /// when implication never loops.
    /// </summary>
    public static IReadOnlyList<string>? FindCycle(IDictionary<string, string[]> hierarchy)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in hierarchy.Keys)
        {
            var path = new List<string>();
            if (FindCycle(hierarchy, start, path, done) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static List<string>? FindCycle(IDictionary<string, string[]> hierarchy, string scope, List<string> path, HashSet<string> done)
    {
        var index = path.IndexOf(scope);
        if (index >= 0)
        {
            return [.. path[index..], scope];
        }

        if (done.Contains(scope))
        {
            return null;
        }

        path.Add(scope);
        if (hierarchy.TryGetValue(scope, out var narrower) && narrower is not null)
        {
            foreach (var next in narrower)
            {
                if (next is not null && FindCycle(hierarchy, next, path, done) is { } cycle)
                {
                    return cycle;
                }
            }
        }

        path.RemoveAt(path.Count - 1);
        done.Add(scope);
        return null;
    }

    private static void Collect(IDictionary<string, string[]> hierarchy, string scope, List<string> into)
    {
        if (into.Contains(scope, StringComparer.Ordinal))
        {
            return;
        }

        into.Add(scope);
        if (hierarchy.TryGetValue(scope, out var narrower) && narrower is not null)
        {
            foreach (var next in narrower)
            {
                Collect(hierarchy, next, into);
            }
        }
    }
}
