using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// A DPoP proof's <c>jti</c> is used once across instances behind one load balancer that share Redis: through the
/// distributed cache behind HybridCache, and exactly once, even for a proof sent to two instances at the same moment,
/// when the library has a Redis connection of its own (<c>Descope:DPoP:ReplayRedis</c> or the app's
/// <see cref="IConnectionMultiplexer"/>).
/// </summary>
public sealed class DPoPReplayAcrossInstancesTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Pairs = 40;
    [Fact]
    public async Task A_proof_accepted_by_one_instance_is_refused_by_another_sharing_redis()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        await using var authority = await DescopeTestAuthority.StartAsync();
        void UseRedis(IServiceCollection s) => s.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; });
        await using var first = await ProtectedMcpServer.StartAsync(authority, services: UseRedis);
        await using var second = await ProtectedMcpServer.StartAsync(authority, o => o.McpServerUrl = first.McpUrl, services: UseRedis);
        using var key = TestDPoPKey.Create();
        var token = authority.CreateToken(t => { t.Audience = first.McpUrl; t.DPoPThumbprint = key.Thumbprint; });
        var proof = key.CreateProof("POST", first.McpUrl, token);

        using var accepted = await first.Http.SendAsync(DPoPClient.McpRequest(first, token, proof));
        using var replayed = await second.Http.SendAsync(DPoPClient.McpRequest(second, token, proof));
        using var fresh = await second.Http.SendAsync(DPoPClient.McpRequest(second, token, key.CreateProof("POST", first.McpUrl, token)));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("error_description=\"The DPoP proof was already used\"", replayed.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Forty_proofs_each_sent_to_two_instances_at_the_same_moment_are_each_accepted_exactly_once()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        await using var authority = await DescopeTestAuthority.StartAsync();

        // The distributed cache that instances share today, and the app's own multiplexer, which the library claims proofs with.
        void UseRedis(IServiceCollection s)
        {
            s.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; });
            s.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Configuration));
        }

        await using var first = await ProtectedMcpServer.StartAsync(authority, services: UseRedis);
        await using var second = await ProtectedMcpServer.StartAsync(authority, o => o.McpServerUrl = first.McpUrl, services: UseRedis);
        using var key = TestDPoPKey.Create();
        var token = authority.CreateToken(t => { t.Audience = first.McpUrl; t.DPoPThumbprint = key.Thumbprint; });

        // Both instances warm (connections, keys, the token remembered) before the pairs.
        foreach (var server in new[] { first, second })
        {
            using var warm = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, key.CreateProof("POST", first.McpUrl, token)));
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var outcomes = new List<string>();
        for (var i = 0; i < Pairs; i++)
        {
            var proof = key.CreateProof("POST", first.McpUrl, token);
            using var start = new Barrier(2);
            var responses = await Task.WhenAll(new[] { first, second }.Select(server =>
            {
                var request = DPoPClient.McpRequest(server, token, proof);
                return Task.Run(() =>
                {
                    start.SignalAndWait();
                    return server.Http.SendAsync(request);
                });
            }));
            outcomes.Add(string.Join(" + ", responses.Select(Outcome).Order(StringComparer.Ordinal)));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        Assert.Equal(0, outcomes.Count(o => o == "200 + 200"));
        Assert.Equal(Enumerable.Repeat("200 + 401 already used", Pairs), outcomes);
    }

    [Fact]
    public async Task Descope_DPoP_ReplayRedis_from_configuration_claims_each_proof_in_redis_under_a_hashed_key_for_twice_the_proof_lifetime()
    {
        await using var authority = await DescopeTestAuthority.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DPoP:ReplayRedis"] = redis.Configuration,
        }).Build();
        await using var first = await ProtectedMcpServer.StartAsync(authority, services: s => s.AddDescopeMcp(configuration));
        await using var second = await ProtectedMcpServer.StartAsync(authority, o => o.McpServerUrl = first.McpUrl, services: s => s.AddDescopeMcp(configuration));
        using var key = TestDPoPKey.Create();
        var token = authority.CreateToken(t => { t.Audience = first.McpUrl; t.DPoPThumbprint = key.Thumbprint; });
        var proof = key.CreateProof("POST", first.McpUrl, token);

        using var accepted = await first.Http.SendAsync(DPoPClient.McpRequest(first, token, proof));
        using var replayed = await second.Http.SendAsync(DPoPClient.McpRequest(second, token, proof));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("401 already used", Outcome(replayed));
        Assert.True(first.Services.GetRequiredService<DPoPReplayCache>().UsesRedis);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = multiplexer.GetDatabase();
        var stored = DPoPReplayCache.Key(key.Thumbprint, JtiOf(proof));
        Assert.StartsWith("descope-mcp:dpop-jti:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(JtiOf(proof), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Thumbprint, stored, StringComparison.Ordinal);
        var ttl = await database.KeyTimeToLiveAsync(stored);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task ReplayRedis_wins_over_a_multiplexer_the_app_registered()
    {
        await using var authority = await DescopeTestAuthority.StartAsync();
        var unreachable = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500";
        await using var server = await ProtectedMcpServer.StartAsync(
            authority,
            o => o.DPoP.ReplayRedis = redis.Configuration,
            services: s => s.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(unreachable)));
        using var key = TestDPoPKey.Create();
        var token = authority.CreateToken(t => t.DPoPThumbprint = key.Thumbprint);
        var proof = key.CreateProof("POST", server.McpUrl, token);

        using var accepted = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, proof));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        Assert.True(await multiplexer.GetDatabase().KeyExistsAsync(DPoPReplayCache.Key(key.Thumbprint, JtiOf(proof))));
    }

    /// <summary>The status, and for a 401 its DPoP error description in short.</summary>
    private static string Outcome(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var challenge = response.Headers.WwwAuthenticate.ToString();
        return challenge.Contains("error=\"invalid_dpop_proof\"", StringComparison.Ordinal)
            && challenge.Contains("error_description=\"The DPoP proof was already used\"", StringComparison.Ordinal)
            ? "401 already used"
            : "401 " + challenge;
    }

    private static string JtiOf(string proof)
    {
        var payload = proof.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.GetProperty("jti").GetString()!;
    }
}
