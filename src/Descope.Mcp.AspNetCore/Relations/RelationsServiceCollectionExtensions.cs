using Descope.Mcp.AspNetCore.DescopeApi;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Registers <see cref="RequireRelationAttribute"/>'s enforcement and <see cref="IDescopeRelations"/>. Called once by
/// <c>AddDescopeMcp()</c>, after the authorization stage, so the relation filters run after the SDK's.
/// </summary>
internal static class RelationsServiceCollectionExtensions
{
    public static IServiceCollection AddDescopeRelations(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHybridCache();
        services.AddDataProtection();
        services.TryAddSingleton<IHybridCacheSerializer<RelationCacheEntry>, RelationCacheEntrySerializer>();

        // A client of its own, so FGA has its own circuit breaker and timeouts; retries as for connection tokens.
        services.AddHttpClient(DescopeMcpDefaults.FgaHttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's total timeout rules
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect would carry the management key away from where checks go: it is not followed.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddResilienceHandler(PipelineName, static (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
                ConnectionResilience.Configure(
                    builder, options.Connections, options.Fga.TotalTimeout, options.Fga.AttemptTimeout, context.ServiceProvider.GetRequiredService<TimeProvider>());
            });

        services.TryAddSingleton<DescopeFgaClient>();
        services.TryAddSingleton<RelationCache>();
        services.TryAddSingleton<IDescopeRelations, DescopeRelations>();
        services.TryAddSingleton<RelationFilters>();
        services.AddOptions<McpServerOptions>().PostConfigure<RelationFilters>(static (options, filters) => filters.AddTo(options));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RelationStartupCheck>());
        return services;
    }

    private const string PipelineName = "descope-fga";
}
