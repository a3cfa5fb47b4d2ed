namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// Checks <see cref="ConnectionTokenOptions"/>; each failure names its <c>Descope:Connections:*</c> key and a good value.
/// The bounds are those the resilience pipeline itself enforces, so a bad value fails at startup, not at the first call.
/// </summary>
internal static class ConnectionTokenOptionsValidation
{
    private const string Key = DescopeMcpDefaults.ConfigurationSection + ":Connections:";

    public static void Validate(ConnectionTokenOptions options, string? managementKey, List<string> failures)
    {
        if (options.CacheMaxLifetime < TimeSpan.Zero || options.CacheMaxLifetime > TimeSpan.FromDays(1))
        {
            failures.Add($"{Key}CacheMaxLifetime must be between 00:00:00 (no caching) and 1.00:00:00, for example 00:01:00.");
        }

        if (options.CacheExpiryBuffer < TimeSpan.Zero || options.CacheExpiryBuffer > TimeSpan.FromHours(1))
        {
            failures.Add($"{Key}CacheExpiryBuffer must be between 00:00:00 and 01:00:00, for example 00:01:00.");
        }

        if (options.TotalTimeout < TimeSpan.FromMilliseconds(10) || options.TotalTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Key}TotalTimeout must be between 00:00:00.010 and 00:05:00, for example 00:00:30.");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10) || options.AttemptTimeout > options.TotalTimeout)
        {
            failures.Add($"{Key}AttemptTimeout must be at least 00:00:00.010 and at most {Key}TotalTimeout, for example 00:00:10.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{Key}MaxRetryAttempts must be between 0 (no retries) and 10, for example 3.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Key}RetryDelay must be between 00:00:00 and 00:01:00, for example 00:00:00.500.");
        }

        if (!(options.CircuitBreakerFailureRatio is > 0 and <= 1))
        {
            failures.Add($"{Key}CircuitBreakerFailureRatio must be greater than 0 and at most 1, for example 0.5.");
        }

        if (options.CircuitBreakerMinimumThroughput < 2)
        {
            failures.Add($"{Key}CircuitBreakerMinimumThroughput must be at least 2, for example 10.");
        }

        if (options.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakerSamplingDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Key}CircuitBreakerSamplingDuration must be between 00:00:00.500 and 1.00:00:00, for example 00:00:30.");
        }

        if (options.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakerBreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Key}CircuitBreakerBreakDuration must be between 00:00:00.500 and 1.00:00:00, for example 00:00:15.");
        }

        if (!string.IsNullOrEmpty(options.ConnectRedirectUrl)
            && (!Uri.TryCreate(options.ConnectRedirectUrl, UriKind.Absolute, out var redirect) || (redirect.Scheme != Uri.UriSchemeHttps && redirect.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{Key}ConnectRedirectUrl must be an absolute http(s) URL, for example https://app.example.com/connected.");
        }

        // The key travels in an Authorization header: whitespace or control characters would corrupt it.
        if (!string.IsNullOrEmpty(managementKey) && managementKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            failures.Add($"{DescopeMcpDefaults.ConfigurationSection}:ManagementKey contains whitespace or control characters: paste the key exactly as Descope shows it.");
        }
    }
}
