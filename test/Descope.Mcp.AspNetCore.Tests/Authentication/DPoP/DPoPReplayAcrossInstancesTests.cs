using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>A DPoP proof's <c>jti</c> is used once across instances behind one load balancer that share Redis.</summary>
public sealed class DPoPReplayAcrossInstancesTests(RedisServer redis) : IClassFixture<RedisServer>
{
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
}
