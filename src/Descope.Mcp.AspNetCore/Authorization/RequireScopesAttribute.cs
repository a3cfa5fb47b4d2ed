namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Requires the access token to grant every listed scope (all-of), itself or through a broader scope that implies it
/// (<see cref="DescopeMcpOptions.ScopeHierarchy"/>). On an MCP tool, prompt or resource (method or class) it hides the
/// item from callers without the scopes, and a <c>tools/call</c>, <c>prompts/get</c>, <c>resources/read</c>,
/// <c>resources/subscribe</c>, <c>resources/unsubscribe</c> or <c>completion/complete</c> without them gets HTTP 403 with an <c>insufficient_scope</c> challenge naming the scopes, so the client can step up. On an
/// ASP.NET Core endpoint or controller it gives the same 403 challenge. Several attributes add up: all their scopes are
/// required.
/// </summary>
/// <example><code>[McpServerTool, RequireScopes("calendar.read")]</code></example>
public sealed class RequireScopesAttribute : DescopeAuthorizationAttribute
{
    /// <summary>Requires every one of the scopes.</summary>
    /// <param name="scopes">OAuth scopes such as <c>calendar.read</c>; at least one.</param>
    public RequireScopesAttribute(params string[] scopes)
        : this(new DescopeScopesRequirement(scopes))
    {
    }

    private RequireScopesAttribute(DescopeScopesRequirement requirement)
        : base(requirement) => Scopes = requirement.Scopes;

    /// <summary>The required scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }
}
