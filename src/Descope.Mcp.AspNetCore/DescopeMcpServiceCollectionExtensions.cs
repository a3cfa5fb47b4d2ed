using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Authorization;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Connections;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Endpoints;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.Metadata;
using Descope.Mcp.AspNetCore.Relations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Descope authentication, authorization and connection tokens for an MCP server.
/// </summary>
public static class DescopeMcpServiceCollectionExtensions
{
    /// <summary>
    /// Adds Descope to the MCP server, configured in code. Every endpoint mapped by <c>MapMcp</c> then requires a valid
    /// Descope access token. Calling it again only adds configuration.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets <see cref="DescopeMcpOptions"/>.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddDescopeMcp(this IServiceCollection services, Action<DescopeMcpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddDescopeMcpCore();
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Adds Descope to the MCP server, bound to a configuration section shaped like <c>Descope</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section to bind, for example <c>builder.Configuration.GetSection("Descope")</c>.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddDescopeMcp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddDescopeMcpCore();
        services.Configure<DescopeMcpOptions>(configuration);
        return services;
    }

    private static void AddDescopeMcpCore(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DescopeMcpMarker)))
        {
            return;
        }

        services.AddSingleton<DescopeMcpMarker>();

        services.AddOptions<DescopeMcpOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DescopeMcpOptions>, DescopeMcpPostConfigureOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DescopeMcpOptions>, DescopeMcpOptionsValidator>());

        services.AddHttpClient(DescopeMcpDefaults.BackchannelHttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddDescopeDiagnostics();
        services.TryAddSingleton<DescopeProject>();
        services.TryAddSingleton<ProtectedResource>();
        services.TryAddSingleton<DescopeSigningKeys>();
        services.TryAddSingleton<DescopeConfigurationManager>();
        services.TryAddSingleton<ValidatedTokenCache>();
        services.TryAddSingleton<ScopeHierarchy>();
        services.TryAddSingleton<DescopeTokenHandler>();
        services.TryAddSingleton<IDescopeTokenValidator, DescopeTokenValidator>();
        services.TryAddSingleton<DPoPReplayRedis>();
        services.TryAddSingleton<DPoPReplayCache>();
        services.TryAddSingleton<DPoPAuthentication>();
        services.TryAddSingleton<BearerChallenge>();
        services.TryAddSingleton<DescopeJwtBearerEvents>();

        services.AddAuthentication().AddJwtBearer(DescopeMcpDefaults.AuthenticationScheme, "Descope", static _ => { });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, DescopeJwtBearerOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthenticationOptions>, DescopeDefaultSchemeSetup>());

        services.AddAuthorization(options => options.AddPolicy(
            DescopeMcpDefaults.AuthorizationPolicy,
            policy => policy.AddAuthenticationSchemes(DescopeMcpDefaults.AuthenticationScheme).RequireAuthenticatedUser()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, McpEndpointProtectionPolicy>());
        services.AddDescopeMcpAuthorization();

        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, LeadingMiddlewareStartupFilter<ProtectedResourceMetadataMiddleware>>());

        services.AddDescopeConnectionTokens();
        services.AddDescopeRelations();
    }

    /// <summary>Makes <see cref="AddDescopeMcpCore"/> run once however often the public overloads are called.</summary>
    private sealed class DescopeMcpMarker;

    /// <summary>Descope becomes the default scheme only when the app has chosen none.</summary>
    private sealed class DescopeDefaultSchemeSetup : IPostConfigureOptions<AuthenticationOptions>
    {
        public void PostConfigure(string? name, AuthenticationOptions options)
        {
            if (options.DefaultScheme is null && options.DefaultAuthenticateScheme is null && options.DefaultChallengeScheme is null)
            {
                options.DefaultScheme = DescopeMcpDefaults.AuthenticationScheme;
            }
        }
    }
}
