using Descope.Mcp.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one line that puts Descope on an MCP server: <c>builder.AddDescopeMcp();</c>.
/// </summary>
public static class DescopeMcpHostApplicationBuilderExtensions
{
    /// <summary>
    /// Adds Descope to the MCP server with settings from the <c>Descope</c> configuration section
    /// (<c>appsettings.json</c>, environment variables such as <c>Descope__McpServerUrl</c>, ...).
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Optional settings applied after configuration.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddDescopeMcp<TBuilder>(this TBuilder builder, Action<DescopeMcpOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDescopeMcp(builder.Configuration.GetSection(DescopeMcpDefaults.ConfigurationSection));
        if (configure is not null)
        {
            builder.Services.AddDescopeMcp(configure);
        }

        return builder;
    }
}
