using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// The replay store's in-process level: an atomic first use per proof, entries that expire and are swept, a bound that
/// never lets a replay through, and a distributed level asked only when the app has one.
/// </summary>
public sealed class DPoPReplayCacheTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private DPoPReplayCache Store(int capacity = DPoPReplayCache.MaxLocalEntries) =>
        new(_services.GetRequiredService<HybridCache>(), _time, shared: false, capacity);

    [Fact]
    public async Task A_proof_is_used_once_and_its_replay_is_refused()
    {
        var store = Store();

        Assert.True(await store.TryUseAsync("thumbprint", "jti-1", Lifetime, default));
        Assert.False(await store.TryUseAsync("thumbprint", "jti-1", Lifetime, default));
        Assert.True(await store.TryUseAsync("thumbprint", "jti-2", Lifetime, default));
        Assert.True(await store.TryUseAsync("other-thumbprint", "jti-1", Lifetime, default));
    }

    [Fact]
    public async Task Concurrent_uses_of_one_proof_accept_exactly_one()
    {
        var store = Store();

        var uses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.TryUseAsync("thumbprint", "jti", Lifetime, default).AsTask())));

        Assert.Single(uses, used => used);
    }

    [Fact]
    public async Task A_proof_is_refused_until_its_lifetime_ends_and_is_then_swept()
    {
        var store = Store();
        Assert.True(await store.TryUseAsync("thumbprint", "old", Lifetime, default));

        _time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.False(await store.TryUseAsync("thumbprint", "old", Lifetime, default));

        // Past its lifetime, and past the interval after which expired proofs are swept.
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await store.TryUseAsync("thumbprint", "new", Lifetime, default));

        Assert.Equal(1, store.LocalCount);
        Assert.True(await store.TryUseAsync("thumbprint", "old", Lifetime, default));
        Assert.False(await store.TryUseAsync("thumbprint", "old", Lifetime, default));
    }

    [Fact]
    public async Task A_full_store_still_refuses_the_replay_of_a_proof_it_had_no_room_for()
    {
        var store = Store(capacity: 2);
        Assert.True(await store.TryUseAsync("thumbprint", "a", TimeSpan.FromMinutes(1), default));
        Assert.True(await store.TryUseAsync("thumbprint", "b", TimeSpan.FromMinutes(1), default));

        Assert.True(await store.TryUseAsync("thumbprint", "overflow", Lifetime, default));
        Assert.Equal(2, store.LocalCount);
        Assert.False(await store.TryUseAsync("thumbprint", "overflow", Lifetime, default));
        Assert.False(await store.TryUseAsync("thumbprint", "a", Lifetime, default));

        // The first two expired and were swept: room again, but the proof that overflowed is still within its lifetime.
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(await store.TryUseAsync("thumbprint", "overflow", Lifetime, default));
        Assert.True(await store.TryUseAsync("thumbprint", "a", Lifetime, default));
        Assert.False(await store.TryUseAsync("thumbprint", "a", Lifetime, default));
    }

    [Fact]
    public void Only_a_distributed_cache_beyond_the_process_is_a_shared_level()
    {
        using var memoryOnly = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        using var inMemoryDistributed = new ServiceCollection().AddDistributedMemoryCache().AddHybridCache().Services.BuildServiceProvider();
        using var redis = new ServiceCollection()
            .AddStackExchangeRedisCache(o => o.Configuration = "localhost:1")
            .AddHybridCache().Services.BuildServiceProvider();

        Assert.False(StoreOf(memoryOnly).IsShared);
        Assert.False(StoreOf(inMemoryDistributed).IsShared);
        Assert.True(StoreOf(redis).IsShared);

        DPoPReplayCache StoreOf(IServiceProvider services) => new(services.GetRequiredService<HybridCache>(), _time, services);
    }

    [Fact]
    public async Task A_proof_is_accepted_only_once_the_shared_level_holds_it_so_another_instance_refuses_it_at_once()
    {
        var shared = new HeldWritesCache();
        var first = new DPoPReplayCache(_services.GetRequiredService<HybridCache>(), _time, shared: true, DPoPReplayCache.MaxLocalEntries, shared);
        using var otherServices = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var second = new DPoPReplayCache(otherServices.GetRequiredService<HybridCache>(), _time, shared: true, DPoPReplayCache.MaxLocalEntries, shared);

        var use = first.TryUseAsync("thumbprint", "jti", Lifetime, default).AsTask();
        await shared.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(use.IsCompleted);

        shared.ReleaseWrites.SetResult();
        Assert.True(await use);
        Assert.False(await second.TryUseAsync("thumbprint", "jti", Lifetime, default));
        Assert.True(await second.TryUseAsync("thumbprint", "jti-2", Lifetime, default));
    }

    /// <summary>A distributed cache whose writes wait until the test releases them.</summary>
    private sealed class HeldWritesCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseWrites { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[]? Get(string key) => _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            WriteStarted.TrySetResult();
            await ReleaseWrites.Task;
            await _inner.SetAsync(key, value, options, token);
        }

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
    }
}
