using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Remembers the proofs a resource server accepted, so each <c>jti</c> is used once (RFC 9449 §11.1). Within an instance
/// in a dictionary of its own, where marking a proof used is one atomic add, asked first so a local replay costs no
/// round trip. Across instances, when the app gives the library Redis (<see cref="DPoPReplayRedis"/>), by one atomic
/// <c>SET NX</c> there, which decides alone: exactly one instance accepts a proof, and none while Redis does not answer.
/// Without it, in the distributed cache behind the app's <see cref="HybridCache"/> (Redis, for example), asked only when
/// there is one and written before the proof is accepted (and for proofs that find the in-process level full, in
/// HybridCache's memory level). That check is not atomic: the distributed level has no add-if-absent, so two instances
/// that receive the same proof at the same moment can both read "unused" before either writes, and both accept it.
/// </summary>
internal sealed class DPoPReplayCache
{
    /// <summary>
    /// The proofs remembered in-process at most (about 80 MB; a busy instance at 1,000 proofs a second with the default
    /// lifetime holds 600,000); past it, proofs are also remembered in HybridCache's memory level.
    /// </summary>
    internal const int MaxLocalEntries = 1_000_000;

    private const string KeyPrefix = "descope-mcp:dpop-jti:";

    private static readonly byte[] UsedMarker = [1];

    /// <summary>How often expired proofs are swept out of the in-process level.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often a full in-process level is swept at most: a sweep walks every entry.</summary>
    private static readonly TimeSpan FullSweepInterval = TimeSpan.FromSeconds(1);

    private static readonly Func<Use, CancellationToken, ValueTask<bool>> MarkFirst = static (state, _) =>
    {
        state.First = true;
        return ValueTask.FromResult(true);
    };

    private readonly ConcurrentDictionary<ProofKey, long> _used = new();
    private readonly HybridCache _cache;

    // The default HybridCache's shared level, written directly: HybridCache writes its distributed level only after it
    // has answered, so a replay sent straight to another instance could arrive before the write.
    private readonly IDistributedCache? _distributed;

    // The authority across instances when the app configured Redis; then neither HybridCache level is asked.
    private readonly DPoPReplayRedis? _redis;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly object _sweepLock = new();
    private long _nextSweep;
    private long _nextFullSweep;

    // ConcurrentDictionary.Count takes every lock of the dictionary; this one is kept beside it.
    private int _count;

    // While proofs that found the in-process level full are remembered only in HybridCache, every proof is looked up
    // there too, until the last of them expires (UTC ticks).
    private long _overflowUntil;

    public DPoPReplayCache(HybridCache cache, TimeProvider time, IServiceProvider services)
        : this(cache, time, HasSharedLevel(cache, services, out var distributed), MaxLocalEntries, distributed, services.GetService<DPoPReplayRedis>())
    {
    }

    internal DPoPReplayCache(
        HybridCache cache, TimeProvider time, bool shared, int capacity, IDistributedCache? distributed = null, DPoPReplayRedis? redis = null)
    {
        _cache = cache;
        _time = time;
        _redis = redis is { IsConfigured: true } ? redis : null;
        IsShared = shared || _redis is not null;
        _capacity = capacity;
        _distributed = distributed;
    }

    /// <summary>Whether proofs are also checked and written in a level other instances share.</summary>
    internal bool IsShared { get; }

    /// <summary>Whether Redis decides a proof's first use across instances (an atomic <c>SET NX</c>).</summary>
    internal bool UsesRedis => _redis is not null;

    /// <summary>The proofs remembered in-process now, expired ones not yet swept included.</summary>
    internal int LocalCount => Volatile.Read(ref _count);

    /// <summary>
    /// Marks the proof of <paramref name="thumbprint"/> with <paramref name="jti"/> used, for <paramref name="lifetime"/>;
    /// <see langword="false"/> when it was used before, or when Redis is configured and did not answer (see
    /// <see cref="UseAsync"/>, which tells the two apart).
    /// </summary>
    public ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var use = UseAsync(thumbprint, jti, lifetime, cancellationToken);
        return use.IsCompletedSuccessfully ? ValueTask.FromResult(use.Result == DPoPProofFailure.None) : Await(use);

        static async ValueTask<bool> Await(ValueTask<DPoPProofFailure> use) => await use == DPoPProofFailure.None;
    }

    /// <summary>
    /// Marks the proof of <paramref name="thumbprint"/> with <paramref name="jti"/> used, for <paramref name="lifetime"/>:
    /// <see cref="DPoPProofFailure.None"/> when this is its first use, <see cref="DPoPProofFailure.Replayed"/> when it
    /// was used before, <see cref="DPoPProofFailure.ReplayCheckUnavailable"/> when Redis is configured and did not answer.
    /// </summary>
    public async ValueTask<DPoPProofFailure> UseAsync(string thumbprint, string jti, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var key = ProofKey.Of(thumbprint, jti);
        var now = _time.GetUtcNow().UtcTicks;
        var expires = now + lifetime.Ticks;
        var local = TryUseLocally(key, now, expires);
        if (local == LocalUse.Replayed)
        {
            return DPoPProofFailure.Replayed;
        }

        if (_redis is not null)
        {
            // Redis decides for this instance's proofs too, so a proof the in-process level had no room for needs nothing else.
            return await _redis.ClaimAsync(key.ToCacheKey(), lifetime, cancellationToken);
        }

        return await TryUseHybridCacheAsync(key, local, now, expires, lifetime, cancellationToken) ? DPoPProofFailure.None : DPoPProofFailure.Replayed;
    }

    /// <summary>Without Redis, the levels of HybridCache a proof needs besides the in-process one: the distributed and the memory level.</summary>
    private async ValueTask<bool> TryUseHybridCacheAsync(ProofKey key, LocalUse local, long now, long expires, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var overflow = local == LocalUse.Full;
        if (overflow)
        {
            InterlockedMax(ref _overflowUntil, expires);

            // A sweep may have made room since the store was found full, and a concurrent use of this proof taken it
            // before the mark above was visible: that use is the first.
            if (_used.TryGetValue(key, out var until) && until > now)
            {
                return false;
            }
        }

        var onlyLocal = !overflow && Volatile.Read(ref _overflowUntil) <= now;
        if (_distributed is not null)
        {
            if (!await TryUseDistributedAsync(key.ToCacheKey(), lifetime, cancellationToken))
            {
                return false;
            }

            if (onlyLocal)
            {
                return true;
            }
        }
        else if (onlyLocal && !IsShared)
        {
            return true;
        }

        // The memory level only matters for proofs the in-process level had no room for; the distributed one only for a
        // HybridCache of another kind, whose shared level is reached through it.
        var flags = onlyLocal
            ? HybridCacheEntryFlags.DisableLocalCache
            : _distributed is null ? HybridCacheEntryFlags.None : HybridCacheEntryFlags.DisableDistributedCache;
        var use = new Use();
        await _cache.GetOrCreateAsync(
            key.ToCacheKey(),
            use,
            MarkFirst,
            new HybridCacheEntryOptions { Expiration = lifetime, LocalCacheExpiration = lifetime, Flags = flags },
            cancellationToken: cancellationToken);
        return use.First;
    }

    /// <summary>
    /// Marks the proof used in the shared level before it is accepted; <see langword="false"/> when another instance (or
    /// this one) already did. A shared level that fails leaves each instance with the proofs it saw itself, as HybridCache
    /// does with its own.
    /// </summary>
    private async ValueTask<bool> TryUseDistributedAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        try
        {
            if (await _distributed!.GetAsync(key, cancellationToken) is not null)
            {
                return false;
            }

            await _distributed.SetAsync(key, UsedMarker, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
        }

        return true;
    }

    /// <summary>The key of one proof in HybridCache: a hash, so neither the key's thumbprint nor the client's <c>jti</c> shapes it.</summary>
    internal static string Key(string thumbprint, string jti) => ProofKey.Of(thumbprint, jti).ToCacheKey();

    private LocalUse TryUseLocally(ProofKey key, long now, long expires)
    {
        if (now >= Volatile.Read(ref _nextSweep) || (Volatile.Read(ref _count) >= _capacity && now >= Volatile.Read(ref _nextFullSweep)))
        {
            Sweep(now);
        }

        while (true)
        {
            if (_used.TryGetValue(key, out var until))
            {
                if (until > now)
                {
                    return LocalUse.Replayed;
                }

                // Expired and not yet swept: reusing it must still be atomic against a concurrent use.
                if (_used.TryUpdate(key, expires, until))
                {
                    return LocalUse.First;
                }

                continue;
            }

            if (Volatile.Read(ref _count) >= _capacity)
            {
                return LocalUse.Full;
            }

            if (_used.TryAdd(key, expires))
            {
                Interlocked.Increment(ref _count);
                return LocalUse.First;
            }
        }
    }

    private void Sweep(long now)
    {
        // One sweeper at a time; the others go on without waiting.
        if (!Monitor.TryEnter(_sweepLock))
        {
            return;
        }

        try
        {
            Volatile.Write(ref _nextSweep, now + SweepInterval.Ticks);
            Volatile.Write(ref _nextFullSweep, now + FullSweepInterval.Ticks);
            foreach (var (key, until) in _used)
            {
                if (until <= now)
                {
                    // Only if it was not used again since it was read.
                    if (_used.TryRemove(new KeyValuePair<ProofKey, long>(key, until)))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }
            }
        }
        finally
        {
            Monitor.Exit(_sweepLock);
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Whether the app's HybridCache reaches beyond this process: the default implementation through the
    /// <see cref="IDistributedCache"/> it is configured with (an in-memory one is per process, as this store is); any other
    /// implementation is assumed to.
    /// </summary>
    private static bool HasSharedLevel(HybridCache cache, IServiceProvider services, out IDistributedCache? shared)
    {
        shared = null;
        if (cache.GetType().Assembly != typeof(HybridCacheOptions).Assembly)
        {
            return true;
        }

        var serviceKey = services.GetService<IOptions<HybridCacheOptions>>()?.Value.DistributedCacheServiceKey;
        var distributed = serviceKey is null ? services.GetService<IDistributedCache>() : services.GetKeyedService<IDistributedCache>(serviceKey);
        shared = distributed is MemoryDistributedCache ? null : distributed;
        return shared is not null;
    }

    private enum LocalUse
    {
        First,
        Replayed,
        Full,
    }

    /// <summary>The SHA-256 of <c>thumbprint.jti</c>, held as a value so the in-process level allocates no string.</summary>
    private readonly record struct ProofKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static ProofKey Of(string thumbprint, string jti)
        {
            var length = Encoding.UTF8.GetMaxByteCount(thumbprint.Length + 1 + jti.Length);
            var pooled = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
            Span<byte> input = pooled is null ? stackalloc byte[512] : pooled;
            try
            {
                var written = Encoding.UTF8.GetBytes(thumbprint, input);
                input[written++] = (byte)'.';
                written += Encoding.UTF8.GetBytes(jti, input[written..]);
                Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(input[..written], hash);
                var words = MemoryMarshal.Cast<byte, ulong>(hash);
                return new ProofKey(words[0], words[1], words[2], words[3]);
            }
            finally
            {
                if (pooled is not null)
                {
                    ArrayPool<byte>.Shared.Return(pooled);
                }
            }
        }

        public string ToCacheKey()
        {
            Span<ulong> words = [A, B, C, D];
            return KeyPrefix + Base64Url.EncodeToString(MemoryMarshal.AsBytes(words));
        }
    }

    /// <summary>Whether this call ran the factory, that is, found the proof unused.</summary>
    private sealed class Use
    {
        public bool First;
    }
}
