using Descope.Mcp.AspNetCore.Gate;
using Descope.Mcp.AspNetCore.Internal;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// The scopes a caller of this server can be required to hold: <see cref="DescopeMcpOptions.RequiredScopes"/> and those
/// of <see cref="RequireScopesAttribute"/> on its tools, prompts and resources, each with what requires it. Read by the
/// startup checks of what the metadata advertises and what the development authority can grant.
/// </summary>
internal static class ScopesInUse
{
    /// <summary>What requires a scope of <see cref="DescopeMcpOptions.RequiredScopes"/>.</summary>
    public const string RequiredScopesKey = DescopeMcpDefaults.ConfigurationSection + ":" + nameof(DescopeMcpOptions.RequiredScopes);

    /// <summary>Each scope in use, required ones first, with what requires it (<c>Descope:RequiredScopes</c>, <c>tool greet</c>).</summary>
    public static IReadOnlyList<(string Scope, IReadOnlyList<string> RequiredBy)> Of(DescopeMcpOptions options, McpServerOptions mcpOptions)
    {
        var uses = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        void Add(string scope, string requiredBy)
        {
            if (scope == ScopeSyntax.OfflineAccess)
            {
                return;
            }

            if (!uses.TryGetValue(scope, out var requiredByList))
            {
                uses[scope] = requiredByList = [];
                order.Add(scope);
            }

            if (!requiredByList.Contains(requiredBy, StringComparer.Ordinal))
            {
                requiredByList.Add(requiredBy);
            }
        }

        foreach (var scope in options.RequiredScopes)
        {
            Add(scope, RequiredScopesKey);
        }

        foreach (var (scope, usedBy) in McpPrimitiveRules.ScopeUses(mcpOptions))
        {
            Add(scope, usedBy);
        }

        return [.. order.Select(scope => (scope, (IReadOnlyList<string>)uses[scope]))];
    }

    /// <summary>How a scope in use is named in a log message: <c>greet (tool greet)</c>.</summary>
    public static string Describe((string Scope, IReadOnlyList<string> RequiredBy) use) =>
        $"{use.Scope} ({string.Join(", ", use.RequiredBy)})";
}
