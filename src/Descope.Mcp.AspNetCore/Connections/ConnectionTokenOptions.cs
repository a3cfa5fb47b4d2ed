namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Settings for connection tokens, bound from <c>Descope:Connections</c>.
/// </summary>
public sealed class ConnectionTokenOptions
{
    /// <summary>
    /// The longest time a connection token is served from the cache. Default: 1 minute. <see cref="TimeSpan.Zero"/>
    /// disables caching: every call then goes to Descope.
    /// </summary>
    /// <remarks>
    /// Descope promises that revoking a connection or changing a policy takes effect immediately. A cached token is
    /// handed out without asking Descope, so for up to this long after such a change a caller may still receive the
    /// token it was allowed to have before. Keep it short when revocation must bite at once; make it longer to spare
    /// Descope (and your rate limit) when tools are called in bursts. Entries are keyed by the caller's own access
    /// token, so the cache never widens who gets a token, only for how long a decision is reused.
    /// </remarks>
    public TimeSpan CacheMaxLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long before its expiry a cached token stops being handed out, so that a tool never starts work with a token
    /// about to expire. Default: 1 minute.
    /// </summary>
    public TimeSpan CacheExpiryBuffer { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Until when a token fetched at <paramref name="now"/> may be handed out from the cache: at most
    /// <see cref="CacheMaxLifetime"/>, and never within <see cref="CacheExpiryBuffer"/> of its expiry.
    /// </summary>
    internal DateTimeOffset CacheRefreshAt(DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        var refreshAt = now + CacheMaxLifetime;
        return expiresAt - CacheExpiryBuffer is { } beforeExpiry && beforeExpiry < refreshAt ? beforeExpiry : refreshAt;
    }

    /// <summary>The time one token request may take, retries and their waits included. Default: 30 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time one attempt may take before it is abandoned (and retried). Default: 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a failed attempt is retried (408, 429, 5xx, transport errors and attempt timeouts; never 400, 401,
    /// 403 or 404). Default: 3. Zero disables retries.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>
    /// The first retry delay; later ones grow exponentially, with jitter. A <c>Retry-After</c> header wins when it fits
    /// in <see cref="TotalTimeout"/>; when it does not, the failure is reported at once. Default: 500 milliseconds.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The share of failed attempts in <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit. Default: 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The attempts needed in <see cref="CircuitBreakerSamplingDuration"/> before the circuit may open. Default: 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which failures are counted. Default: 30 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once, without calling Descope. Default: 15 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// When a user has not connected an app, ask Descope for the connect URL and put it in the error, so the MCP client
    /// can show the user where to go. Default: <see langword="true"/>.
    /// </summary>
    public bool IncludeConnectUrlInErrors { get; set; } = true;

    /// <summary>
    /// When a tool lets a <see cref="ConnectionTokenException"/> for a connection the user has not made escape, and the
    /// MCP client declared URL-mode elicitation, answer with a URL elicitation carrying the connect URL (JSON-RPC error
    /// -32042) so the client opens it and retries; other clients get the tool error. On a session (stateful Streamable
    /// HTTP, legacy SSE) the connect URL returns the user to <c>&lt;McpServerUrl&gt;/elicitations/{id}/complete</c>,
    /// which sends the client <c>notifications/elicitation/complete</c>. Needs <see cref="IncludeConnectUrlInErrors"/>.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool UseUrlElicitation { get; set; } = true;

    /// <summary>
    /// Where Descope sends the user after connecting an app; absent: the app's default in Descope. After a URL
    /// elicitation on a session the user returns to this server first, which then sends them here.
    /// </summary>
    public string? ConnectRedirectUrl { get; set; }
}
