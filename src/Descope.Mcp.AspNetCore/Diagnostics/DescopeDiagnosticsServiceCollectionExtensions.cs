using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>The telemetry and startup checks of <c>AddDescopeMcp()</c>.</summary>
internal static class DescopeDiagnosticsServiceCollectionExtensions
{
    public static IServiceCollection AddDescopeDiagnostics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<DescopeTelemetry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DescopeMcpStartup>());
        return services;
    }
}
