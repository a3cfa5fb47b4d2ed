using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Points an MCP server's Descope settings at a <see cref="DescopeTestAuthority"/>.
/// </summary>
public static class DescopeTestAuthorityServiceCollectionExtensions
{
    /// <summary>
    /// Adds Descope to the services with the authority's discovery URL, and routes the library's HTTP clients to the
    /// authority when it runs in memory.
    /// </summary>
    /// <param name="services">The MCP server's services.</param>
    /// <param name="authority">The running test authority.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddDescopeTestAuthority(this IServiceCollection services, DescopeTestAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(authority);
        services.AddDescopeMcp(authority.Configure);
        if (authority.InProcess)
        {
            services.AddHttpClient(DescopeMcpDefaults.BackchannelHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(authority.CreateHandler);
            services.AddHttpClient(ConnectionTokenDefaults.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(authority.CreateHandler);
        }

        return services;
    }
}
