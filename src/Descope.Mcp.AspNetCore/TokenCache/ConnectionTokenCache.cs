using System.Diagnostics;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Connections;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>
/// Serves connection tokens from <see cref="HybridCache"/> (memory, plus a distributed second level when the app
/// registers one) and fetches them from Descope on a miss. Concurrent identical misses share one fetch (HybridCache's
/// stampede protection, which also keeps a fetch going until its last waiter cancels); failures are never cached;
/// a failing cache falls back to a direct fetch.
/// </summary>
internal sealed class ConnectionTokenCache
{
    private const string ThrownByFetchKey = "Descope.Mcp.Connections.ThrownByFetch";
    private static readonly string[] Tags = [ConnectionTokenDefaults.CacheTag];

    private readonly HybridCache _cache;
    private readonly DescopeConnectionClient _client;
    private readonly DescopeProject _project;
    private readonly ConnectionTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly ILogger<ConnectionTokenCache> _logger;
    private readonly HybridCacheEntryOptions _entryOptions;
    private readonly HybridCacheEntryOptions _skipReadEntryOptions;

    public ConnectionTokenCache(
        HybridCache cache,
        DescopeConnectionClient client,
        DescopeProject project,
        IOptions<DescopeMcpOptions> options,
        TimeProvider time,
        DescopeTelemetry telemetry,
        ILogger<ConnectionTokenCache> logger)
    {
        _telemetry = telemetry;
        _cache = cache;
        _client = client;
        _project = project;
        _options = options.Value.Connections;
        _time = time;
        _logger = logger;
        _entryOptions = new HybridCacheEntryOptions { Expiration = _options.CacheMaxLifetime, LocalCacheExpiration = _options.CacheMaxLifetime };

        // A forced refresh skips reading but still writes, so the callers after it get the new token.
        _skipReadEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = _options.CacheMaxLifetime,
            LocalCacheExpiration = _options.CacheMaxLifetime,
            Flags = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead,
        };
    }

    public async Task<ConnectionToken> GetAsync(ConnectionFetch fetch, CancellationToken cancellationToken)
    {
        using var activity = DescopeTelemetry.StartConnectionTokenRequest(fetch);
        try
        {
            var (token, cache) = await GetOrFetchAsync(fetch, cancellationToken);
            _telemetry.ConnectionTokenServed(activity, fetch, cache);
            return token;
        }
        catch (Exception ex) when (_telemetry.ConnectionTokenFailed(activity, fetch, BypassesCache(fetch) ? TelemetryValues.CacheBypass : TelemetryValues.CacheMiss, ex))
        {
            throw;
        }
    }

    /// <summary>The token, and whether it came from the cache (<see cref="TelemetryValues.CacheHit"/>) or not.</summary>
    private async Task<(ConnectionToken Token, string Cache)> GetOrFetchAsync(ConnectionFetch fetch, CancellationToken cancellationToken)
    {
        if (BypassesCache(fetch))
        {
            return (await _client.FetchAsync(fetch, cancellationToken), TelemetryValues.CacheBypass);
        }

        var key = ConnectionTokenCacheKey.For(fetch, _project);
        var state = new Miss(this, fetch, key, Activity.Current);
        ConnectionTokenCacheEntry entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(
                key,
                state,
                static (miss, token) => miss.FetchAsync(token),
                fetch.SkipCacheRead ? _skipReadEntryOptions : _entryOptions,
                Tags,
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !ex.Data.Contains(ThrownByFetchKey))
        {
            ConnectionsLog.CacheFailed(_logger, fetch.AppId, ex);
            return ((await FetchEntryAsync(fetch, key, cancellationToken)).Token, TelemetryValues.CacheMiss);
        }

        // A token this very call fetched is the freshest there is; only entries read from the cache can be stale.
        var now = _time.GetUtcNow();
        if (state.Fetched || fetch.SkipCacheRead || (entry.RefreshAt > now && string.Equals(entry.CacheKey, key, StringComparison.Ordinal)))
        {
            return (entry.Token, state.Fetched ? TelemetryValues.CacheMiss : TelemetryValues.CacheHit);
        }

        if (!string.Equals(entry.CacheKey, key, StringComparison.Ordinal))
        {
            // Another key ring's entry, a tampered one, or one moved from another key: a miss.
            ConnectionsLog.CachedEntryUnreadable(_logger, fetch.AppId);
            return await GetOrFetchAsync(fetch with { SkipCacheRead = true }, cancellationToken);
        }

        ConnectionsLog.CachedTokenStale(_logger, fetch.AppId);
        var nearExpiry = entry.Token.ExpiresAt - _options.CacheExpiryBuffer <= now;

        // Near its expiry Descope is asked to refresh the token with the provider; past the maximum lifetime it is only
        // asked again, so that its policies are applied anew.
        return await GetOrFetchAsync(fetch with { ForceRefresh = fetch.ForceRefresh || nearExpiry, SkipCacheRead = true }, cancellationToken);
    }

    // Refresh tokens are long-lived secrets: they are handed to the one caller who asked and never stored.
    private bool BypassesCache(ConnectionFetch fetch) => _options.CacheMaxLifetime <= TimeSpan.Zero || fetch.WithRefreshToken;

    private async ValueTask<ConnectionTokenCacheEntry> FetchEntryAsync(ConnectionFetch fetch, string key, CancellationToken cancellationToken)
    {
        ConnectionToken token;
        try
        {
            token = await _client.FetchAsync(fetch, cancellationToken);
        }
        catch (Exception ex)
        {
            // Marks what failed in the fetch, so it is not mistaken for a failure of the cache.
            ex.Data[ThrownByFetchKey] = true;
            throw;
        }

        return new ConnectionTokenCacheEntry(token, _options.CacheRefreshAt(_time.GetUtcNow(), token.ExpiresAt)) { CacheKey = key };
    }

    /// <summary>
    /// The state of one caller's miss: whether this caller's own factory ran, and the caller's activity, which the fetch
    /// continues (HybridCache runs the factory outside the caller's execution context).
    /// </summary>
    private sealed class Miss(ConnectionTokenCache cache, ConnectionFetch fetch, string key, Activity? activity)
    {
        public bool Fetched { get; private set; }

        public async ValueTask<ConnectionTokenCacheEntry> FetchAsync(CancellationToken cancellationToken)
        {
            if (activity is not null)
            {
                Activity.Current = activity;
            }

            var entry = await cache.FetchEntryAsync(fetch, key, cancellationToken);
            Fetched = true;
            return entry;
        }
    }
}
