using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Testing.Development;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Offline development for any MCP server in one line: <c>builder.AddDescopeDevelopmentAuthority();</c>.
/// </summary>
public static class DescopeDevelopmentAuthorityHostApplicationBuilderExtensions
{
    /// <summary>
    /// In the Development environment, when no Descope project is configured, starts an embedded
    /// <see cref="DescopeTestAuthority"/> on loopback, with its authorize page (pick a user, approve scopes) and its
    /// connection vault, points the server's Descope settings at it and says so in the log. A project counts as
    /// configured when <c>Descope:WellKnownUrl</c>, <c>Descope:ProjectId</c> or <c>Descope:BaseUrl</c> is set, in
    /// configuration or in code (<c>AddDescopeMcp(o =&gt; ...)</c>, <c>Configure&lt;DescopeMcpOptions&gt;</c>, before or
    /// after this call): the choice is made once the options are complete, and with a project the options are left
    /// exactly as configured. <c>Descope:McpServerUrl</c> defaults to the server's first URL followed by <c>/mcp</c>.
    /// Without users from <paramref name="configure"/>, one user, <c>U2Developer</c>, may be granted
    /// <c>outbound.token.fetch</c>, every scope the server requires (<c>Descope:RequiredScopes</c> and the scopes of
    /// <see cref="RequireScopesAttribute"/> on its tools, prompts and resources) and those of <c>Descope:ScopesSupported</c>;
    /// with users declared, the server logs a warning at startup for each scope it requires that none of them may be granted.
    /// While the authority is in use, <c>GET /_descope/development/token</c> on the server answers a caller on this machine
    /// (a loopback connection to a loopback host, not relayed by a proxy or tunnel) with a bearer token for CLI clients as
    /// plain text: the signed-in user's (<c>?user=</c> names another declared user), with every scope the user may be
    /// granted (<c>?scope=</c>, space-separated, asks for fewer), valid eight hours. The startup log shows the command.
    /// Outside Development, or with a Descope project in configuration, it does nothing (the path is the app's like any
    /// other); with a project set only in code, the authority started here is stopped, unused, when the server starts.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">
    /// Declares users and connections on the authority once it runs; called here, unless configuration names a project
    /// or the environment is not Development.
    /// </param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddDescopeDevelopmentAuthority<TBuilder>(this TBuilder builder, Action<DescopeTestAuthority>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var descope = builder.Configuration.GetSection(DescopeMcpDefaults.ConfigurationSection);
        if (!builder.Environment.IsDevelopment() || DevelopmentAuthorityActivation.NamesProject(descope))
        {
            return builder;
        }

        var authority = DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true).GetAwaiter().GetResult();
        configure?.Invoke(authority);
        var defaultUser = authority.HasUsers ? null : DevelopmentUser.AddTo(authority);
        var activation = new DevelopmentAuthorityActivation(authority, DevelopmentMcpServerUrl.From(builder.Configuration), defaultUser);

        // The library's post-configuration first, so the activation sees the options as the server configured them.
        builder.Services.AddDescopeMcp(static _ => { });
        builder.Services.AddSingleton<IPostConfigureOptions<DescopeMcpOptions>>(activation);

        // Made by the container, so the authority also stops with the services of a server that never started.
        builder.Services.AddSingleton(_ => activation);

        // A service only while it is in use: with a project configured in code there is none to resolve.
        builder.Services.AddSingleton(provider =>
            provider.GetRequiredService<DevelopmentAuthorityActivation>().IsActive(provider) ? authority : null!);
        builder.Services.AddHostedService(provider =>
            ActivatorUtilities.CreateInstance<DevelopmentAuthorityLifetime>(provider, provider.GetRequiredService<DevelopmentAuthorityActivation>()));
        builder.Services.AddSingleton<IStartupFilter, DevelopmentTokenEndpoint.StartupFilter>();
        return builder;
    }
}
