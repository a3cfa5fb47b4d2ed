namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Names used by Descope on an MCP server.
/// </summary>
public static class DescopeMcpDefaults
{
    /// <summary>The authentication scheme that validates Descope access tokens: <c>DescopeMcp</c>.</summary>
    public const string AuthenticationScheme = "DescopeMcp";

    /// <summary>The authorization policy that requires a valid Descope access token: <c>DescopeMcp</c>.</summary>
    public const string AuthorizationPolicy = "DescopeMcp";

    /// <summary>The configuration section read by <c>AddDescopeMcp()</c>: <c>Descope</c>.</summary>
    public const string ConfigurationSection = "Descope";

    /// <summary>
    /// The name of the <see cref="System.Net.Http.HttpClient"/> used for Descope's discovery and key-set endpoints.
    /// Configure it with <c>services.AddHttpClient(DescopeMcpDefaults.BackchannelHttpClientName)</c>.
    /// </summary>
    public const string BackchannelHttpClientName = "Descope.Mcp.Backchannel";

    /// <summary>The path of the protected resource metadata document (RFC 9728).</summary>
    public const string ProtectedResourceMetadataPath = "/.well-known/oauth-protected-resource";

    /// <summary>
    /// The name of the library's <see cref="System.Diagnostics.ActivitySource"/>: <c>Descope.Mcp.AspNetCore</c>. Add it to
    /// OpenTelemetry tracing with <c>AddSource(DescopeMcpDefaults.ActivitySourceName)</c>.
    /// </summary>
    public const string ActivitySourceName = "Descope.Mcp.AspNetCore";

    /// <summary>
    /// The name of the library's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Descope.Mcp.AspNetCore</c>. Add it to
    /// OpenTelemetry metrics with <c>AddMeter(DescopeMcpDefaults.MeterName)</c>.
    /// </summary>
    public const string MeterName = "Descope.Mcp.AspNetCore";

    /// <summary>
    /// The logging category of audit events (authorization refusals, step-ups, connection tokens handed out or refused):
    /// <c>Descope.Mcp.AspNetCore.Audit</c>.
    /// </summary>
    public const string AuditLogCategory = "Descope.Mcp.AspNetCore.Audit";

    /// <summary>The name of the health check added by <c>AddHealthChecks().AddDescopeMcp()</c>: <c>descope</c>.</summary>
    public const string HealthCheckName = "descope";

    /// <summary>
    /// The name of the <see cref="System.Net.Http.HttpClient"/> that sends relation checks to Descope FGA. It carries a
    /// resilience pipeline of its own (retries and circuit breaker as configured for connection tokens, the timeouts of
    /// <see cref="FgaOptions"/>); add handlers with <c>services.AddHttpClient(DescopeMcpDefaults.FgaHttpClientName)</c>.
    /// </summary>
    public const string FgaHttpClientName = "Descope.Mcp.Fga";

    /// <summary>
    /// The <c>HybridCache</c> tag on every cached relation answer: after changing relations in Descope, forget the answers
    /// with <c>hybridCache.RemoveByTagAsync(DescopeMcpDefaults.FgaCacheTag)</c>.
    /// </summary>
    public const string FgaCacheTag = "descope-mcp:fga";
}
