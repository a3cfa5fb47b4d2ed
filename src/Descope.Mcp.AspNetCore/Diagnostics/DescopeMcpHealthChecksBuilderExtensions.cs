using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the Descope health check: <c>builder.Services.AddHealthChecks().AddDescopeMcp();</c>.
/// </summary>
public static class DescopeMcpHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check, named <c>descope</c> by default, that reports whether the Descope signing keys are loaded:
    /// healthy when they are loaded and the last load succeeded, degraded while the last good keys are served after failed
    /// reloads, and <paramref name="failureStatus"/> (unhealthy by default) while they have never loaded. It reads the
    /// library's state and does not call Descope on each probe. Needs <c>AddDescopeMcp()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; <see cref="DescopeMcpDefaults.HealthCheckName"/> when <see langword="null"/>.</param>
    /// <param name="failureStatus">The status reported while the keys have never loaded; unhealthy when <see langword="null"/>.</param>
    /// <param name="tags">Tags for filtering checks, for example <c>ready</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddDescopeMcp(
        this IHealthChecksBuilder builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<DescopeHealthCheck>(name ?? DescopeMcpDefaults.HealthCheckName, failureStatus, tags ?? []);
    }
}
