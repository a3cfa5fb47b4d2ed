using System.Diagnostics.Metrics;
using System.Net;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Connections;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// Redis as the authority on a proof's first use fails closed: while it does not answer, a proof is refused with a reason
/// of its own (never accepted on the word of the in-process level alone), a local replay is still refused without it, and
/// once Redis is back proofs are claimed there again.
/// </summary>
public sealed class DPoPReplayRedisTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task While_redis_does_not_answer_a_proof_is_refused_with_its_own_reason_and_a_local_replay_without_a_round_trip()
    {
        await using var redis = Redis(Unreachable());
        using var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var store = new DPoPReplayCache(services.GetRequiredService<HybridCache>(), _time, shared: false, DPoPReplayCache.MaxLocalEntries, redis: redis);

        Assert.True(store.UsesRedis);
        Assert.Equal(DPoPProofFailure.ReplayCheckUnavailable, await store.UseAsync("thumbprint", "jti", Lifetime, default));
        Assert.False(await store.TryUseAsync("thumbprint", "jti-2", Lifetime, default));

        // The in-process level answers first: the same proof again is a replay whatever Redis would say.
        Assert.Equal(DPoPProofFailure.Replayed, await store.UseAsync("thumbprint", "jti", Lifetime, default));
    }

    [Fact]
    public async Task Redis_that_goes_away_refuses_proofs_and_claims_them_again_once_it_is_back()
    {
        var first = new RedisServer();
        await first.InitializeAsync();
        var port = first.Port;
        var logs = new RecordingLoggerProvider();
        await using var redis = Redis($"127.0.0.1:{port}", new LoggerFactory([logs]));
        try
        {
            Assert.Equal(DPoPProofFailure.None, await redis.ClaimAsync("descope-mcp:dpop-jti:a", Lifetime, default));
            Assert.Equal(DPoPProofFailure.Replayed, await redis.ClaimAsync("descope-mcp:dpop-jti:a", Lifetime, default));
        }
        finally
        {
            await first.DisposeAsync();
        }

        Assert.Equal(DPoPProofFailure.ReplayCheckUnavailable, await redis.ClaimAsync("descope-mcp:dpop-jti:b", Lifetime, default));
        Assert.Equal(DPoPProofFailure.ReplayCheckUnavailable, await redis.ClaimAsync("descope-mcp:dpop-jti:c", Lifetime, default));
        var failure = Assert.Single(logs.Entries, e => e.EventId.Name == "DPoPReplayRedisFailed");
        Assert.Equal(LogLevel.Error, failure.Level);

        var second = new RedisServer(port);
        await second.InitializeAsync();
        try
        {
            // The multiplexer reconnects by itself (its heartbeat runs every second); until then proofs are refused.
            var claimed = DPoPProofFailure.ReplayCheckUnavailable;
            for (var attempt = 0; attempt < 300 && claimed == DPoPProofFailure.ReplayCheckUnavailable; attempt++)
            {
                await Task.Delay(100);
                claimed = await redis.ClaimAsync("descope-mcp:dpop-jti:b", Lifetime, default);
            }

            Assert.Equal(DPoPProofFailure.None, claimed);
            Assert.Equal(DPoPProofFailure.Replayed, await redis.ClaimAsync("descope-mcp:dpop-jti:b", Lifetime, default));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Through_http_a_proof_refused_for_want_of_redis_gets_its_own_description_outcome_and_one_error_line()
    {
        var logs = new RecordingLoggerProvider();
        await using var authority = await DescopeTestAuthority.StartAsync();
        await using var server = await ProtectedMcpServer.StartAsync(
            authority,
            o => o.DPoP.ReplayRedis = Unreachable(),
            services: s => s.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        using var proofs = new MetricCollector<long>(server.Services.GetRequiredService<IMeterFactory>(), DescopeMcpDefaults.MeterName, "descope.mcp.dpop.proofs");
        using var key = TestDPoPKey.Create();
        var token = authority.CreateToken(t => t.DPoPThumbprint = key.Thumbprint);
        var sent = new List<string>();

        for (var i = 0; i < 5; i++)
        {
            var proof = key.CreateProof("POST", server.McpUrl, token);
            sent.Add(proof);
            using var refused = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, proof));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = refused.Headers.WwwAuthenticate.ToString();
            Assert.Contains("error=\"invalid_dpop_proof\"", challenge, StringComparison.Ordinal);
            Assert.Contains("error_description=\"The DPoP proof could not be checked for reuse\"", challenge, StringComparison.Ordinal);
        }

        using var replayed = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, sent[0]));
        Assert.Contains("error_description=\"The DPoP proof was already used\"", replayed.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        Assert.Equal(
            [("replay_check_unavailable", 5), ("replayed", 1)],
            proofs.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["descope.outcome"]!).Select(g => (g.Key, g.Count())).Order());
        Assert.Single(logs.Entries, e => e.EventId.Name == "DPoPReplayRedisFailed");
        var texts = logs.Entries.Select(e => e.AllText).ToList();
        foreach (var secret in sent.Append(token).SelectMany(s => s.Split('.').Where(p => p.Length >= 8).Append(s)))
        {
            Assert.DoesNotContain(texts, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>A loopback address where nothing listens.</summary>
    private static string Unreachable() => $"127.0.0.1:{FreePort.Next()},connectTimeout=1000";

    private DPoPReplayRedis Redis(string configuration, ILoggerFactory? logging = null)
    {
        var options = new DescopeMcpOptions();
        options.DPoP.ReplayRedis = configuration;
        using var services = new ServiceCollection().BuildServiceProvider();
        return new DPoPReplayRedis(Options.Create(options), services, _time, (logging ?? NullLoggerFactory.Instance).CreateLogger<DPoPReplayRedis>());
    }
}
