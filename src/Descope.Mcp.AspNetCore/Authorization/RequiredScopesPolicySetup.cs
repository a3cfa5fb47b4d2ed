using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Adds <see cref="DescopeMcpOptions.RequiredScopes"/> to the <see cref="DescopeMcpDefaults.AuthorizationPolicy"/> policy,
/// so every Descope-protected endpoint, MCP or not, demands them.
/// </summary>
internal sealed class RequiredScopesPolicySetup(IOptions<DescopeMcpOptions> descopeOptions) : IPostConfigureOptions<AuthorizationOptions>
{
    public void PostConfigure(string? name, AuthorizationOptions options)
    {
        var required = descopeOptions.Value.RequiredScopes;
        if (required.Count == 0 || options.GetPolicy(DescopeMcpDefaults.AuthorizationPolicy) is not { } policy)
        {
            return;
        }

        options.AddPolicy(
            DescopeMcpDefaults.AuthorizationPolicy,
            new AuthorizationPolicyBuilder(policy).AddRequirements(new DescopeScopesRequirement(required)).Build());
    }
}
