using Descope.Mcp.AspNetCore.Gate;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>The authorization stage of <c>AddDescopeMcp()</c>.</summary>
internal static class DescopeMcpAuthorizationServiceCollectionExtensions
{
    private const string SdkAuthorizationFiltersMarker = "ModelContextProtocol.AspNetCore.AuthorizationFiltersMarker";

    public static IServiceCollection AddDescopeMcpAuthorization(this IServiceCollection services)
    {
        // The MCP SDK applies [RequireScopes] and the other attributes to tools, prompts and resources (calls and lists)
        // only with its authorization filters; add them unless the app already has. AddMcpServer() only adds what is
        // missing, so calling it here is harmless.
        if (!services.Any(d => d.ServiceType.FullName == SdkAuthorizationFiltersMarker))
        {
            services.AddMcpServer().AddAuthorizationFilters();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthorizationOptions>, RequiredScopesPolicySetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthorizationOptions>, DefaultSchemePolicySetup>());

        // Replaces the framework's default result handler, not one the app chose.
        var resultHandler = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        if (resultHandler is null || resultHandler.ImplementationType == typeof(AuthorizationMiddlewareResultHandler))
        {
            services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeChallengeResultHandler>();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ListEveryPrimitiveHandler>());

        services.TryAddSingleton<PrimitiveAccessCatalog>();
        services.TryAddSingleton<PrimitiveGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, PrimitiveLists>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ToolDescriptionsStartupFilter>());
        return services;
    }
}
