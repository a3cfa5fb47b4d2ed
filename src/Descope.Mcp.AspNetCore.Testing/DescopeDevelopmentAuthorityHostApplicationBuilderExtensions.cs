using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Testing.Development;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Offline development for any MCP server in one line: <c>builder.AddDescopeDevelopmentAuthority();</c>.
/// </summary>
public static class DescopeDevelopmentAuthorityHostApplicationBuilderExtensions
{
    /// <summary>
    /// In the Development environment, when no Descope project is configured (neither <c>Descope:WellKnownUrl</c> nor
    /// <c>Descope:ProjectId</c>), starts an embedded <see cref="DescopeTestAuthority"/> on loopback, with its authorize
    /// page (pick a user, approve scopes) and its connection vault, points the server's Descope settings at it and says
    /// so in the log. <c>Descope:McpServerUrl</c> defaults to the server's first URL followed by <c>/mcp</c>. Without
    /// users from <paramref name="configure"/>, one user, <c>U2Developer</c>, may be granted
    /// <c>outbound.token.fetch</c> and the scopes of <c>Descope:RequiredScopes</c> and <c>Descope:ScopesSupported</c>.
    /// Outside Development, or with a Descope project configured, it does nothing.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Declares users and connections on the authority once it runs; called only when it runs.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddDescopeDevelopmentAuthority<TBuilder>(this TBuilder builder, Action<DescopeTestAuthority>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var descope = builder.Configuration.GetSection(DescopeMcpDefaults.ConfigurationSection);
        if (!builder.Environment.IsDevelopment()
            || !string.IsNullOrEmpty(descope[nameof(DescopeMcpOptions.WellKnownUrl)])
            || !string.IsNullOrEmpty(descope[nameof(DescopeMcpOptions.ProjectId)]))
        {
            return builder;
        }

        var authority = DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true).GetAwaiter().GetResult();
        configure?.Invoke(authority);
        if (!authority.HasUsers)
        {
            DevelopmentUser.AddTo(authority, descope);
        }

        var mcpServerUrl = descope[nameof(DescopeMcpOptions.McpServerUrl)];
        var defaultedMcpServerUrl = string.IsNullOrEmpty(mcpServerUrl) ? DevelopmentMcpServerUrl.From(builder.Configuration) : null;
        builder.Services.AddSingleton(authority);
        builder.Services.AddDescopeTestAuthority(authority);
        if (defaultedMcpServerUrl is not null)
        {
            builder.Services.AddDescopeMcp(o => o.McpServerUrl = string.IsNullOrEmpty(o.McpServerUrl) ? defaultedMcpServerUrl : o.McpServerUrl);
        }

        builder.Services.AddHostedService(provider => ActivatorUtilities.CreateInstance<DevelopmentAuthorityLifetime>(provider, defaultedMcpServerUrl is not null));
        return builder;
    }
}
