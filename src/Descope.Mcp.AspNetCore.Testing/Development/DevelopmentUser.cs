using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Diagnostics;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// The user the development authority signs in when the server declares none, and the check that every scope the server
/// requires can be granted to some development user.
/// </summary>
internal static class DevelopmentUser
{
    public const string Subject = "U2Developer";

    /// <summary>Declares the default user; its scopes are completed by <see cref="GrantScopesInUse"/> once the server starts.</summary>
    public static TestUser AddTo(DescopeTestAuthority authority)
    {
        var user = authority.AddUser(Subject, user =>
        {
            user.Scopes.Add(TestConnectionVault.FetchScope);
            user.Claims["name"] = "Dev Developer";
            user.Claims["email"] = "developer@example.com";
        });
        authority.SignedInUser ??= Subject;
        return user;
    }

    /// <summary>
    /// Lets the default user be granted every scope the server requires (<c>Descope:RequiredScopes</c> and the tools',
    /// prompts' and resources' <c>[RequireScopes]</c>) and every scope it advertises (<c>Descope:ScopesSupported</c>).
    /// </summary>
    public static void GrantScopesInUse(TestUser user, DescopeMcpOptions options, McpServerOptions mcpOptions)
    {
        foreach (var (scope, _) in ScopesInUse.Of(options, mcpOptions))
        {
            user.Scopes.Add(scope);
        }

        foreach (var scope in options.ScopesSupported)
        {
            user.Scopes.Add(scope);
        }
    }

    /// <summary>The scopes in use that no declared user may be granted, directly or through a broader scope.</summary>
    public static IReadOnlyList<(string Scope, IReadOnlyList<string> RequiredBy)> UngrantableScopes(
        DescopeTestAuthority authority, DescopeMcpOptions options, McpServerOptions mcpOptions)
    {
        var hierarchy = new ScopeHierarchy(options.ScopeHierarchy);
        var grantable = hierarchy.Expand(authority.OAuth.Users.Values.SelectMany(u => u.Scopes));
        return [.. ScopesInUse.Of(options, mcpOptions).Where(use => !grantable.Contains(use.Scope))];
    }
}
