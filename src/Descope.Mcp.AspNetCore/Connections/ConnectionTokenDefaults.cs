namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Names used by connection tokens.
/// </summary>
public static class ConnectionTokenDefaults
{
    /// <summary>
    /// The name of the <see cref="System.Net.Http.HttpClient"/> that calls Descope's outbound-token API. It carries the
    /// resilience pipeline configured by <see cref="ConnectionTokenOptions"/>; add handlers with
    /// <c>services.AddHttpClient(ConnectionTokenDefaults.HttpClientName)</c>.
    /// </summary>
    public const string HttpClientName = "Descope.Mcp.Connections";

    /// <summary>The prefix of every cache key this library writes to <c>HybridCache</c>.</summary>
    public const string CacheKeyPrefix = "descope-mcp:connection-token:";

    /// <summary>The <c>HybridCache</c> tag on every connection token entry, to remove them all with <c>RemoveByTagAsync</c>.</summary>
    public const string CacheTag = "descope-mcp:connection-tokens";
}
