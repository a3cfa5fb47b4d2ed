using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.TokenCache;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Serves relation answers from <see cref="HybridCache"/>, one entry per exact tuple, context, caller tenant and project,
/// for <see cref="FgaOptions.CacheDuration"/>, and asks Descope for the rest in one request. Identical concurrent misses
/// share one request (HybridCache's stampede protection, also for a batch of several misses); failures are never
/// cached; a failing cache falls back to asking Descope.
/// </summary>
internal sealed partial class RelationCache
{
    private const string KeyPrefix = "descope-mcp:fga:";
    private const string BatchKeyPrefix = "descope-mcp:fga-batch:";
    private static readonly string[] Tags = [DescopeMcpDefaults.FgaCacheTag];

    private readonly HybridCache _cache;
    private readonly DescopeFgaClient _client;
    private readonly DescopeProject _project;
    private readonly DescopeTelemetry _telemetry;
    private readonly ILogger<RelationCache> _logger;
    private readonly bool _enabled;
    private readonly HybridCacheEntryOptions _entryOptions;
    private readonly HybridCacheEntryOptions _skipReadOptions;
    private readonly HybridCacheEntryOptions _peekOptions;
    private readonly HybridCacheEntryOptions _batchOptions;

    public RelationCache(
        HybridCache cache,
        DescopeFgaClient client,
        DescopeProject project,
        IOptions<DescopeMcpOptions> options,
        DescopeTelemetry telemetry,
        ILogger<RelationCache> logger)
    {
        _cache = cache;
        _client = client;
        _project = project;
        _telemetry = telemetry;
        _logger = logger;
        var duration = options.Value.Fga.CacheDuration;
        _enabled = duration > TimeSpan.Zero;
        _entryOptions = new HybridCacheEntryOptions { Expiration = duration, LocalCacheExpiration = duration };
        _skipReadOptions = new HybridCacheEntryOptions
        {
            Expiration = duration,
            LocalCacheExpiration = duration,
            Flags = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead,
        };

        // Reads what is cached without asking Descope on a miss.
        _peekOptions = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

        // A batch of misses shares one request between identical callers but is never stored: its answers are, one by one.
        _batchOptions = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCache };
    }

    /// <summary>The answer for one tuple (target type filled in), from the cache or from Descope.</summary>
    /// <param name="tuple">The tuple.</param>
    /// <param name="context">The condition context, if any; part of the answer's key.</param>
    /// <param name="partition">The caller's tenant, if any: answers given within one tenant are never reused in another.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <remarks>Not an async method: a memory hit, the usual case, completes without a state machine.</remarks>
    public ValueTask<RelationCacheEntry> CheckAsync(
        RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string? partition, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return FetchOneAsync(tuple, context, cancellationToken);
        }

        var key = KeyOf(tuple, context, partition);
        var peek = PeekAsync(key, cancellationToken);
        if (!peek.IsCompletedSuccessfully)
        {
            return CheckAfterPeekAsync(peek, tuple, context, key, cancellationToken);
        }

        if (peek.Result is not { } cached)
        {
            return GetOrFetchAsync(tuple, context, key, cancellationToken);
        }

        _telemetry.FgaChecked(cached.Allowed, TelemetryValues.CacheHit);
        return new ValueTask<RelationCacheEntry>(cached);
    }

    private async ValueTask<RelationCacheEntry> CheckAfterPeekAsync(
        ValueTask<RelationCacheEntry?> peek, RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string key, CancellationToken cancellationToken)
    {
        if (await peek is { } cached)
        {
            _telemetry.FgaChecked(cached.Allowed, TelemetryValues.CacheHit);
            return cached;
        }

        return await GetOrFetchAsync(tuple, context, key, cancellationToken);
    }

    private async ValueTask<RelationCacheEntry> FetchOneAsync(
        RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, CancellationToken cancellationToken) =>
        (await FetchAsync([tuple], context, cancellationToken))[0];

    /// <summary>The answers for several tuples, in order: cached ones from the cache, the others in one request.</summary>
    public async ValueTask<RelationCacheEntry[]> CheckAsync(
        IReadOnlyList<RelationTuple> tuples, IReadOnlyDictionary<string, JsonElement>? context, string? partition, CancellationToken cancellationToken)
    {
        if (tuples.Count == 1 || !_enabled)
        {
            return tuples.Count == 1 ? [await CheckAsync(tuples[0], context, partition, cancellationToken)] : await FetchAsync(tuples, context, cancellationToken);
        }

        var answers = new RelationCacheEntry[tuples.Count];
        var keys = new string[tuples.Count];
        var missing = new List<int>();
        for (var i = 0; i < tuples.Count; i++)
        {
            keys[i] = KeyOf(tuples[i], context, partition);
            if (await PeekAsync(keys[i], cancellationToken) is { } cached)
            {
                _telemetry.FgaChecked(cached.Allowed, TelemetryValues.CacheHit);
                answers[i] = cached;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count == 1)
        {
            var only = missing[0];
            answers[only] = await GetOrFetchAsync(tuples[only], context, keys[only], cancellationToken);
        }
        else if (missing.Count > 1)
        {
            var fetched = await GetOrFetchBatchAsync([.. missing.Select(i => tuples[i])], context, [.. missing.Select(i => keys[i])], cancellationToken);
            for (var m = 0; m < missing.Count; m++)
            {
                answers[missing[m]] = fetched[m];
            }
        }

        return answers;
    }

    /// <summary>What the cache holds under the key, when it is an entry stored under that key; a miss otherwise.</summary>
    private ValueTask<RelationCacheEntry?> PeekAsync(string key, CancellationToken cancellationToken)
    {
        ValueTask<RelationCacheEntry?> read;
        try
        {
            read = _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<RelationCacheEntry?>(null), _peekOptions, Tags, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CacheFailed(_logger, ex);
            return default;
        }

        return read.IsCompletedSuccessfully ? new ValueTask<RelationCacheEntry?>(Stored(read.Result, key)) : PeekSlowAsync(read, key);
    }

    private async ValueTask<RelationCacheEntry?> PeekSlowAsync(ValueTask<RelationCacheEntry?> read, string key)
    {
        try
        {
            return Stored(await read, key);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CacheFailed(_logger, ex);
            return null;
        }
    }

    /// <summary>The entry when it was stored under the key; <see langword="null"/> for none, or for one that was not.</summary>
    private RelationCacheEntry? Stored(RelationCacheEntry? entry, string key)
    {
        if (entry is null || string.Equals(entry.CacheKey, key, StringComparison.Ordinal))
        {
            return entry;
        }

        // Another key ring's entry, a tampered one, or one moved from another key.
        Log.CachedEntryUnreadable(_logger);
        return null;
    }

    private async ValueTask<RelationCacheEntry> GetOrFetchAsync(
        RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string key, CancellationToken cancellationToken)
    {
        RelationCacheEntry entry;
        try
        {
            // Reads again, so a caller arriving just after an identical one's answer was stored is served from it.
            entry = await GetOrCreateAsync(tuple, context, key, _entryOptions, cancellationToken);
            if (!string.Equals(entry.CacheKey, key, StringComparison.Ordinal))
            {
                Log.CachedEntryUnreadable(_logger);
                entry = await GetOrCreateAsync(tuple, context, key, _skipReadOptions, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RelationCheckException or InvalidOperationException))
        {
            Log.CacheFailed(_logger, ex);
            entry = (await FetchAsync([tuple], context, cancellationToken))[0];
        }

        _telemetry.FgaChecked(entry.Allowed, TelemetryValues.CacheMiss);
        return entry;
    }

    private ValueTask<RelationCacheEntry> GetOrCreateAsync(
        RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string key, HybridCacheEntryOptions options, CancellationToken cancellationToken) =>
        _cache.GetOrCreateAsync(
            key,
            new Miss(this, tuple, context, key, Activity.Current),
            static (miss, token) => miss.FetchAsync(token),
            options,
            Tags,
            cancellationToken);

    private async ValueTask<RelationCacheEntry[]> GetOrFetchBatchAsync(
        RelationTuple[] tuples, IReadOnlyDictionary<string, JsonElement>? context, string[] keys, CancellationToken cancellationToken)
    {
        RelationCacheEntry[] entries;
        try
        {
            var batch = await _cache.GetOrCreateAsync(
                BatchKeyOf(keys),
                new BatchMiss(this, tuples, context, keys, Activity.Current),
                static (miss, token) => miss.FetchAsync(token),
                _batchOptions,
                tags: null,
                cancellationToken);
            entries = batch.Entries;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RelationCheckException or InvalidOperationException))
        {
            Log.CacheFailed(_logger, ex);
            entries = await FetchAsync(tuples, context, cancellationToken);
        }

        foreach (var entry in entries)
        {
            _telemetry.FgaChecked(entry.Allowed, TelemetryValues.CacheMiss);
        }

        return entries;
    }

    /// <summary>Asks Descope, without the cache; a failure is counted as an error for each tuple.</summary>
    private async Task<RelationCacheEntry[]> FetchAsync(
        IReadOnlyList<RelationTuple> tuples, IReadOnlyDictionary<string, JsonElement>? context, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CheckAsync(tuples, context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && _telemetry.FgaCheckFailed(tuples.Count))
        {
            throw;
        }
    }

    /// <summary>
    /// The cache key: a prefix and a SHA-256 over the project, where checks go, the caller's tenant, the tuple and the
    /// context (members in name order, values as written). Nothing readable about the user or the resource is in it.
    /// </summary>
    internal string KeyOf(RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string? partition)
    {
        // Built in a pooled buffer: this runs on every check.
        var buffer = ArrayPool<byte>.Shared.Rent(512);
        try
        {
            var length = 0;
            ConnectionTokenCacheKey.Append(ref buffer, ref length, "v1");
            ConnectionTokenCacheKey.Append(ref buffer, ref length, _project.ProjectId);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, _client.OriginUrl);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, partition);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, tuple.Resource);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, tuple.ResourceType);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, tuple.Relation);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, tuple.Target);
            ConnectionTokenCacheKey.Append(ref buffer, ref length, tuple.TargetType);
            if (context is { Count: > 0 })
            {
                foreach (var (name, value) in context.OrderBy(member => member.Key, StringComparer.Ordinal))
                {
                    ConnectionTokenCacheKey.Append(ref buffer, ref length, name);
                    ConnectionTokenCacheKey.Append(ref buffer, ref length, value.GetRawText());
                }
            }

            return ConnectionTokenCacheKey.Hash(KeyPrefix, buffer, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string BatchKeyOf(string[] keys)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * keys.Length + 16);
        try
        {
            var length = 0;
            foreach (var key in keys)
            {
                ConnectionTokenCacheKey.Append(ref buffer, ref length, key);
            }

            return ConnectionTokenCacheKey.Hash(BatchKeyPrefix, buffer, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// One caller's miss of one tuple. The fetch continues the caller's activity (HybridCache runs the factory outside
    /// the caller's execution context).
    /// </summary>
    private readonly struct Miss(RelationCache cache, RelationTuple tuple, IReadOnlyDictionary<string, JsonElement>? context, string key, Activity? activity)
    {
        public async ValueTask<RelationCacheEntry> FetchAsync(CancellationToken cancellationToken)
        {
            if (activity is not null)
            {
                Activity.Current = activity;
            }

            var answer = await cache.FetchAsync([tuple], context, cancellationToken);
            return answer[0] with { CacheKey = key };
        }
    }

    /// <summary>One caller's miss of several tuples: one request, then each answer stored under its own key.</summary>
    private readonly struct BatchMiss(
        RelationCache cache, RelationTuple[] tuples, IReadOnlyDictionary<string, JsonElement>? context, string[] keys, Activity? activity)
    {
        public async ValueTask<Batch> FetchAsync(CancellationToken cancellationToken)
        {
            if (activity is not null)
            {
                Activity.Current = activity;
            }

            var answers = await cache.FetchAsync(tuples, context, cancellationToken);
            for (var i = 0; i < answers.Length; i++)
            {
                answers[i] = answers[i] with { CacheKey = keys[i] };
            }

            try
            {
                for (var i = 0; i < answers.Length; i++)
                {
                    await cache._cache.SetAsync(keys[i], answers[i], cache._entryOptions, Tags, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                // The answers stand; only their reuse is lost.
                Log.CacheFailed(cache._logger, ex);
            }

            return new Batch(answers);
        }
    }

    /// <summary>The answers of one batch request, handed to every identical caller; never stored.</summary>
    [ImmutableObject(true)]
    private sealed class Batch(RelationCacheEntry[] entries)
    {
        public RelationCacheEntry[] Entries { get; } = entries;
    }

    private static partial class Log
    {
        [LoggerMessage(303, LogLevel.Warning, "The relation cache failed, so Descope is asked directly.")]
        public static partial void CacheFailed(ILogger logger, Exception exception);

        [LoggerMessage(304, LogLevel.Warning, "A cached relation answer could not be decrypted or belongs to another key (another key ring, a revoked key, or tampering); it is treated as a miss.")]
        public static partial void CachedEntryUnreadable(ILogger logger);
    }
}
