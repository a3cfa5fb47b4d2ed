using Descope.Mcp.AspNetCore.Arguments;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Adds the scopes an <see cref="IArgumentScopeRule"/> finds in a tool call's (or a prompt fetch's) arguments to what the
/// tool (or prompt) requires. They are decided before the tool or prompt runs and merged with its
/// <see cref="RequireScopesAttribute"/> scopes, so a caller missing any of them gets one HTTP 403 step-up challenge naming
/// them all. The tool or prompt stays listed for every caller its static requirements allow, since its listing has no
/// arguments; so is a completion of a prompt's argument judged. Several attributes add up.
/// </summary>
/// <example><code>[McpServerTool, RequireScopes("calendar.write"), RequireArgumentScopes(typeof(SharedCalendarRule))]</code></example>
public sealed class RequireArgumentScopesAttribute : DescopeAuthorizationAttribute
{
    /// <summary>Applies the rule to the tool's calls or the prompt's fetches.</summary>
    /// <param name="ruleType">A type implementing <see cref="IArgumentScopeRule"/>, resolved from the request's services.</param>
    public RequireArgumentScopesAttribute(Type ruleType)
        : base(new ArgumentScopesRequirement(ruleType)) => RuleType = ruleType;

    /// <summary>The rule's type.</summary>
    public Type RuleType { get; }
}
