using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// The <c>descope</c> health check: healthy while the signing keys are loaded and the last load succeeded, degraded while
/// the last good keys are served after failed reloads, and the registration's failure status (unhealthy by default)
/// while they have never loaded, when requests with tokens are answered 503. It reads state and never calls Descope.
/// </summary>
internal sealed class DescopeHealthCheck(DescopeSigningKeys signingKeys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Starts the scheduled reload when one is due, in the background, as a request would: keys no request has
        // needed for a while are still kept fresh, and the probe waits for nothing.
        _ = signingKeys.TryGetLoaded();
        var state = signingKeys.State;
        var data = new Dictionary<string, object>
        {
            ["loadedAt"] = state.LoadedAt?.ToString("O") ?? "never",
            ["failedLoads"] = state.FailedLoadsSinceLastLoad,
        };
        if (state.LastFailureAt is { } lastFailure)
        {
            data["lastFailureAt"] = lastFailure.ToString("O");
        }

        var result = state switch
        {
            { Loaded: false } => new HealthCheckResult(
                context.Registration.FailureStatus,
                "The Descope signing keys have never loaded; requests with tokens are answered 503.",
                data: data),
            { FailedLoadsSinceLastLoad: > 0 } => HealthCheckResult.Degraded(
                "Reloading the Descope signing keys failed; the keys loaded earlier stay in use.", data: data),
            _ => HealthCheckResult.Healthy("The Descope signing keys are loaded.", data),
        };
        return Task.FromResult(result);
    }
}
