using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static Descope.Mcp.AspNetCore.Tests.Connections.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

/// <summary>
/// Connection tokens through HybridCache with Redis as its second level, the way servers behind a load balancer run.
/// </summary>
public sealed class RedisSecondLevelCacheTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_server_instances_should_share_a_token_through_redis()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        await using var first = await StartAsync(services: s => s.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; }));
        await using var second = await ProtectedMcpServer.StartAsync(
            first.Authority,
            configure: o => o.AdditionalAudiences.Add(first.Server.McpUrl),
            services: s =>
            {
                s.AddSingleton<ToolProbe>();
                s.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; });
            },
            mcp: b => b.WithTools<ConnectionTools>());
        var connection = first.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var accessToken = first.AccessToken();
        var onFirst = await first.ConnectWithAsync(accessToken);
        await using var onSecond = await second.ConnectAsync(accessToken);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(onFirst, "user_token", new { appId = Calendar })));
        Assert.Equal(connection.AccessToken, Text(await CallAsync(onSecond, "user_token", new { appId = Calendar })));

        Assert.Equal(1, first.Vault.TokenRequestCount);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var keys = multiplexer.GetServer("127.0.0.1", redis.Port).Keys(pattern: instance + "*").Select(k => k.ToString()).ToArray();
        var key = Assert.Single(keys);
        Assert.StartsWith(instance + ConnectionTokenDefaults.CacheKeyPrefix, key, StringComparison.Ordinal);
        Assert.DoesNotContain(Alice, key, StringComparison.Ordinal);
        Assert.DoesNotContain(Calendar, key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_should_still_succeed_when_redis_is_down()
    {
        var unreachable = $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=200,syncTimeout=500,asyncTimeout=500,connectRetry=0";
        await using var host = await StartAsync(services: s => s.AddStackExchangeRedisCache(o => o.Configuration = unreachable));
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
    }
}
