using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Drops the Descope scheme from the <see cref="DescopeMcpDefaults.AuthorizationPolicy"/> policy where it is the app's
/// default for authenticating, challenging and forbidding (as <c>AddDescopeMcp()</c> makes it unless the app chose
/// others). The authentication middleware has then already authenticated the request with it; naming it in the policy
/// would only have the policy evaluator authenticate again and merge the same identity into a new principal on every
/// request. Challenges and forbids go to the same scheme either way.
/// </summary>
internal sealed class DefaultSchemePolicySetup(IOptions<AuthenticationOptions> authenticationOptions) : IPostConfigureOptions<AuthorizationOptions>
{
    public void PostConfigure(string? name, AuthorizationOptions options)
    {
        if (options.GetPolicy(DescopeMcpDefaults.AuthorizationPolicy) is not { } policy
            || policy.AuthenticationSchemes is not [DescopeMcpDefaults.AuthenticationScheme]
            || !IsDescopeTheDefault(authenticationOptions.Value))
        {
            return;
        }

        options.AddPolicy(DescopeMcpDefaults.AuthorizationPolicy, new AuthorizationPolicy(policy.Requirements, []));
    }

    private static bool IsDescopeTheDefault(AuthenticationOptions options)
    {
        var challenge = options.DefaultChallengeScheme ?? options.DefaultScheme;
        return IsDescope(options.DefaultAuthenticateScheme ?? options.DefaultScheme)
            && IsDescope(challenge)
            && IsDescope(options.DefaultForbidScheme ?? challenge);
    }

    private static bool IsDescope(string? scheme) => string.Equals(scheme, DescopeMcpDefaults.AuthenticationScheme, StringComparison.Ordinal);
}
