using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Descope.Mcp.AspNetCore.Tests.TokenExchange;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.TokenCache;

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
    public async Task Redis_holds_no_readable_token_and_instances_sharing_a_key_ring_share_entries()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        var keyRing = NewKeyRing();
        await using var first = await StartAsync(services: s => UseRedisAndKeyRing(s, instance, keyRing));
        await using var second = await StartSecondInstanceAsync(first, instance, keyRing);
        var connection = first.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var accessToken = first.AccessToken();
        var onFirst = await first.ConnectWithAsync(accessToken);
        await using var onSecond = await second.ConnectAsync(accessToken);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(onFirst, "user_token", new { appId = Calendar })));
        await WaitForEntriesAsync(instance, 1);
        Assert.Equal(connection.AccessToken, Text(await CallAsync(onSecond, "user_token", new { appId = Calendar })));

        Assert.Equal(1, first.Vault.TokenRequestCount);
        var stored = await RawValuesAsync(instance);
        Assert.NotEmpty(stored);
        foreach (var secret in new[] { connection.AccessToken, accessToken, Alice, Calendar, CalendarScope, "\"accessToken\"" })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Exchanged_tokens_lie_encrypted_in_redis_and_are_shared_by_instances_with_one_key_ring()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        var keyRing = NewKeyRing();
        await using var first = await TokenExchangeTests.StartExchangeHostAsync(services: s => UseRedisAndKeyRing(s, instance, keyRing));
        await using var second = await StartSecondInstanceAsync(first, instance, keyRing, first.Server.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.TokenExchange);
        var accessToken = first.AccessToken();
        var onFirst = await first.ConnectWithAsync(accessToken);
        await using var onSecond = await second.ConnectAsync(accessToken);

        var issued = Text(await CallAsync(onFirst, "exchange", new { audience = "calendar-api" }));
        await WaitForEntriesAsync(instance, 1);
        Assert.Equal(issued, Text(await CallAsync(onSecond, "exchange", new { audience = "calendar-api" })));

        Assert.Single(first.Authority.TokenExchange.Requests);
        var stored = await RawValuesAsync(instance);
        Assert.NotEmpty(stored);
        Assert.DoesNotContain(issued, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("calendar-api", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_written_with_another_key_ring_is_a_miss_not_an_error()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        await using var first = await StartAsync(services: s => UseRedisAndKeyRing(s, instance, NewKeyRing()));
        await using var second = await StartSecondInstanceAsync(first, instance, NewKeyRing());
        var connection = first.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var accessToken = first.AccessToken();
        var onFirst = await first.ConnectWithAsync(accessToken);
        await using var onSecond = await second.ConnectAsync(accessToken);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(onFirst, "user_token", new { appId = Calendar })));
        await WaitForEntriesAsync(instance, 1);
        Assert.Equal(connection.AccessToken, Text(await CallAsync(onSecond, "user_token", new { appId = Calendar })));
        Assert.Equal(connection.AccessToken, Text(await CallAsync(onSecond, "user_token", new { appId = Calendar })));

        // The second instance could not read the first one's entry, so it asked Descope itself, once.
        Assert.Equal(2, first.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task An_entry_moved_to_another_key_is_not_handed_out()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        var keyRing = NewKeyRing();
        await using var first = await StartAsync(services: s => UseRedisAndKeyRing(s, instance, keyRing));
        await using var second = await StartSecondInstanceAsync(first, instance, keyRing);
        var aliceConnection = first.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var bobConnection = first.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        var alice = await first.ConnectAsync();
        var bobToken = first.AccessToken("U2Bob");
        var bobOnFirst = await first.ConnectWithAsync(bobToken);
        Text(await CallAsync(alice, "user_token", new { appId = Calendar }));
        Text(await CallAsync(bobOnFirst, "user_token", new { appId = Calendar }));
        await WaitForEntriesAsync(instance, 2);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = multiplexer.GetDatabase();
        var keys = multiplexer.GetServer("127.0.0.1", redis.Port).Keys(pattern: instance + "*").ToArray();
        Assert.Equal(2, keys.Length);

        // Swap the two entries: each key now holds the other user's ciphertext.
        var values = new List<HashEntry[]>();
        foreach (var key in keys)
        {
            values.Add(await database.HashGetAllAsync(key));
        }

        await database.HashSetAsync(keys[0], values[1]);
        await database.HashSetAsync(keys[1], values[0]);
        await using var bobOnSecond = await second.ConnectAsync(bobToken);

        Assert.Equal(bobConnection.AccessToken, Text(await CallAsync(bobOnSecond, "user_token", new { appId = Calendar })));
        Assert.NotEqual(aliceConnection.AccessToken, bobConnection.AccessToken);
        Assert.Equal(3, first.Vault.TokenRequestCount);
    }

    /// <summary>
    /// A key ring with its first key already made, as a deployment's shared key ring is: instances that start on an empty
    /// one would each make a key of their own.
    /// </summary>
    private static DirectoryInfo NewKeyRing()
    {
        var directory = Directory.CreateTempSubdirectory("descope-mcp-keys-");
        DataProtectionProvider.Create(directory, b => b.SetApplicationName(KeyRingApplicationName)).CreateProtector("first key").Protect("made");
        return directory;
    }

    private const string KeyRingApplicationName = "descope-mcp-tests";

    private static void UseRedisAndKeyRing(IServiceCollection services, string instance, DirectoryInfo keyRing, RedisServer redis)
    {
        services.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; });
        services.AddDataProtection().SetApplicationName(KeyRingApplicationName).PersistKeysToFileSystem(keyRing);
    }

    private void UseRedisAndKeyRing(IServiceCollection services, string instance, DirectoryInfo keyRing) =>
        UseRedisAndKeyRing(services, instance, keyRing, redis);

    private async Task<ProtectedMcpServer> StartSecondInstanceAsync(
        ConnectionTestHost first, string instance, DirectoryInfo keyRing, TokenExchangeOptions? exchange = null) =>
        await ProtectedMcpServer.StartAsync(
            first.Authority,
            configure: o =>
            {
                o.AdditionalAudiences.Add(first.Server.McpUrl);
                o.TokenExchange.ClientId = exchange?.ClientId;
                o.TokenExchange.ClientSecret = exchange?.ClientSecret;
            },
            services: s =>
            {
                s.AddSingleton<ToolProbe>();
                UseRedisAndKeyRing(s, instance, keyRing);
            },
            mcp: b => b.WithTools<ConnectionTools>());

    /// <summary>
    /// Waits until Redis holds the entries: HybridCache hands a fetched value to its caller before its write to the
    /// second level has finished.
    /// </summary>
    private async Task WaitForEntriesAsync(string instance, int count)
    {
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var server = multiplexer.GetServer("127.0.0.1", redis.Port);
        for (var attempt = 0; attempt < 200 && server.Keys(pattern: instance + "*").Count() < count; attempt++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(count, server.Keys(pattern: instance + "*").Count());
    }

    /// <summary>Everything Redis stores under the instance's keys, as text: the hash fields of each entry, read raw.</summary>
    private async Task<string> RawValuesAsync(string instance)
    {
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = multiplexer.GetDatabase();
        var text = new System.Text.StringBuilder();
        foreach (var key in multiplexer.GetServer("127.0.0.1", redis.Port).Keys(pattern: instance + "*"))
        {
            foreach (var field in await database.HashGetAllAsync(key))
            {
                text.Append(System.Text.Encoding.UTF8.GetString((byte[])field.Value!)).Append('\n');
            }
        }

        return text.ToString();
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
