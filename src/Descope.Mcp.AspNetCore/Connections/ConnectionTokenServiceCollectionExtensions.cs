using Descope.Mcp.AspNetCore.Callers;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Elicitation;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.TokenCache;
using Descope.Mcp.AspNetCore.TokenExchange;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// Registers <see cref="IConnectionTokenService"/> and what it needs. Called once by <c>AddDescopeMcp()</c>.
/// </summary>
internal static class ConnectionTokenServiceCollectionExtensions
{
    public static IServiceCollection AddDescopeConnectionTokens(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);

        // The app's HybridCache is used as it is configured: a registered IDistributedCache (Redis, for example)
        // becomes its second level, shared by every instance behind the load balancer.
        services.AddHybridCache();
        services.AddDataProtection();
        services.TryAddSingleton<IHybridCacheSerializer<ConnectionTokenCacheEntry>, ConnectionTokenCacheEntrySerializer>();

        services.AddHttpClient(ConnectionTokenDefaults.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's total timeout rules
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect would carry the caller's token away from Descope's base URL: it is not followed.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddResilienceHandler(ConnectionResilience.PipelineName, static (builder, context) =>
                ConnectionResilience.Configure(
                    builder,
                    context.ServiceProvider.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.Connections,
                    context.ServiceProvider.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<McpCallerAccessor>();
        services.TryAddSingleton<UrlElicitationCompletions>();
        services.TryAddSingleton<ConnectUrlElicitation>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, LeadingMiddlewareStartupFilter<UrlElicitationCompletionMiddleware>>());
        services.AddOptions<McpServerOptions>().Configure<ConnectUrlElicitation>((options, elicitation) =>
        {
            options.Filters.Message.IncomingFilters.Add(McpMessageCaller.Filter);
            options.Filters.Request.CallToolFilters.Add(elicitation.Filter);
        });
        services.TryAddSingleton<DescopeConnectionClient>();
        services.TryAddSingleton<ConnectionTokenCache>();
        services.TryAddSingleton<IConnectionTokenService, ConnectionTokenService>();
        services.TryAddSingleton<IHybridCacheSerializer<ExchangedTokenCacheEntry>, ExchangedTokenCacheEntrySerializer>();
        services.TryAddSingleton<IDescopeTokenExchange, DescopeTokenExchange>();
        return services;
    }
}
