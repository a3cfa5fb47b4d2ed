using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Points an MCP server's Descope settings at a <see cref="DescopeTestAuthority"/>.
/// </summary>
public static class DescopeTestAuthorityServiceCollectionExtensions
{
    /// <summary>The MCP endpoint assumed on a <see cref="TestServer"/> when no <c>McpServerUrl</c> is configured.</summary>
    internal const string TestServerMcpPath = "mcp";

    /// <summary>
    /// Adds Descope to the services with the authority's discovery URL, and routes the library's HTTP clients to the
    /// authority when it runs in memory. When the server runs on a <see cref="TestServer"/> (for example in a
    /// <c>WebApplicationFactory</c>) and no <see cref="DescopeMcpOptions.McpServerUrl"/> is configured, it becomes the
    /// test server's address followed by <c>/mcp</c>. Tokens the authority mints carry that URL as their audience unless
    /// <see cref="DescopeTestAuthority.DefaultAudience"/> says otherwise.
    /// </summary>
    /// <param name="services">The MCP server's services.</param>
    /// <param name="authority">The running test authority.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddDescopeTestAuthority(this IServiceCollection services, DescopeTestAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(authority);
        services.AddDescopeMcp(authority.Configure);
        services.AddOptions<DescopeMcpOptions>().PostConfigure<IServiceProvider>((options, provider) =>
        {
            if (string.IsNullOrEmpty(options.McpServerUrl) && provider.GetService<IServer>() is TestServer server)
            {
                options.McpServerUrl = new Uri(server.BaseAddress, TestServerMcpPath).AbsoluteUri;
            }

            authority.ServerAudience = options.McpServerUrl;
        });
        if (authority.InProcess)
        {
            services.AddHttpClient(DescopeMcpDefaults.BackchannelHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(authority.CreateHandler);
            services.AddHttpClient(ConnectionTokenDefaults.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(authority.CreateHandler);
            services.AddHttpClient(DescopeMcpDefaults.FgaHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(authority.CreateHandler);
        }

        return services;
    }
}
