using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using StackExchange.Redis;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// Relation answers through HybridCache with Redis as its second level, as servers behind a load balancer run: shared by
/// instances with one key ring, stored as a hashed key and an encrypted answer, and an answer moved to another key is
/// never handed out (an allowed answer copied over a denied one cannot open a resource).
/// </summary>
public sealed class RelationRedisCacheTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string KeyRingApplicationName = "descope-mcp-relation-tests";

    [Fact]
    public async Task Instances_sharing_redis_and_a_key_ring_share_answers_that_redis_cannot_read()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        var keyRing = NewKeyRing();
        await using var first = await RelationTestHost.StartAsync(services: s => UseRedisAndKeyRing(s, instance, keyRing));
        await using var second = await StartSecondInstanceAsync(first, instance, keyRing);
        first.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var token = first.TokenFor(Alice);
        var onFirst = await first.ConnectWithAsync(token);
        await using var onSecond = await second.ConnectAsync(token);

        Assert.Equal("events of team", Text(await CallAsync(onFirst, "read_calendar", new { calendar_id = "team" })));
        await WaitForEntriesAsync(instance, 1);
        Assert.Equal("events of team", Text(await CallAsync(onSecond, "read_calendar", new { calendar_id = "team" })));

        Assert.Single(first.Relations.Requests);
        var (keys, values) = await RawAsync(instance);
        Assert.StartsWith(instance + "descope-mcp:fga:", Assert.Single(keys), StringComparison.Ordinal);
        foreach (var readable in new[] { Alice, "team", "calendar", "viewer", "allowed", "true" })
        {
            Assert.DoesNotContain(readable, keys[0], StringComparison.Ordinal);
            Assert.DoesNotContain(readable, values, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_allowed_answer_moved_over_a_denied_one_is_not_handed_out()
    {
        var instance = "test-" + Guid.NewGuid().ToString("N") + ":";
        var keyRing = NewKeyRing();
        await using var first = await RelationTestHost.StartAsync(services: s => UseRedisAndKeyRing(s, instance, keyRing));
        await using var second = await StartSecondInstanceAsync(first, instance, keyRing);
        first.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var alice = await first.ConnectAsync(Alice);
        var bobToken = first.TokenFor(Bob);
        var bobOnFirst = await first.ConnectWithAsync(bobToken);
        Assert.Equal("events of team", Text(await CallAsync(alice, "read_calendar", new { calendar_id = "team" })));
        Assert.True((await CallAsync(bobOnFirst, "read_calendar", new { calendar_id = "team" })).IsError);
        await WaitForEntriesAsync(instance, 2);

        // Swap the two entries: Bob's key now holds Alice's "allowed", encrypted for Alice's key.
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = multiplexer.GetDatabase();
        var keys = multiplexer.GetServer("127.0.0.1", redis.Port).Keys(pattern: instance + "*").ToArray();
        var values = new List<HashEntry[]>();
        foreach (var key in keys)
        {
            values.Add(await database.HashGetAllAsync(key));
        }

        await database.HashSetAsync(keys[0], values[1]);
        await database.HashSetAsync(keys[1], values[0]);
        await using var bobOnSecond = await second.ConnectAsync(bobToken);

        var refused = await CallAsync(bobOnSecond, "read_calendar", new { calendar_id = "team" });

        Assert.True(refused.IsError);
        Assert.Equal(3, first.Relations.Requests.Count);
        Assert.Equal(1, first.Calls.Of("read_calendar"));
    }

    private static string Text(CallToolResult result)
    {
        Assert.NotEqual(true, result.IsError);
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }

    /// <summary>A key ring with its first key already made, as a deployment's shared key ring is.</summary>
    private static DirectoryInfo NewKeyRing()
    {
        var directory = Directory.CreateTempSubdirectory("descope-mcp-keys-");
        DataProtectionProvider.Create(directory, b => b.SetApplicationName(KeyRingApplicationName)).CreateProtector("first key").Protect("made");
        return directory;
    }

    private void UseRedisAndKeyRing(IServiceCollection services, string instance, DirectoryInfo keyRing)
    {
        services.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = instance; });
        services.AddDataProtection().SetApplicationName(KeyRingApplicationName).PersistKeysToFileSystem(keyRing);
    }

    private async Task<ProtectedMcpServer> StartSecondInstanceAsync(RelationTestHost first, string instance, DirectoryInfo keyRing) =>
        await ProtectedMcpServer.StartAsync(
            first.Authority,
            configure: o =>
            {
                o.AdditionalAudiences.Add(first.Server.McpUrl);
                o.ManagementKey = ManagementKey;
            },
            services: s =>
            {
                s.AddSingleton(first.Calls);
                UseRedisAndKeyRing(s, instance, keyRing);
            },
            mcp: b => b.WithTools<RelationTools>());

    /// <summary>Waits until Redis holds the entries: HybridCache hands an answer to its caller before writing it there.</summary>
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

    /// <summary>The instance's keys, and everything stored under them as text.</summary>
    private async Task<(string[] Keys, string Values)> RawAsync(string instance)
    {
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = multiplexer.GetDatabase();
        var keys = multiplexer.GetServer("127.0.0.1", redis.Port).Keys(pattern: instance + "*").ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var key in keys)
        {
            foreach (var field in await database.HashGetAllAsync(key))
            {
                text.Append(System.Text.Encoding.UTF8.GetString((byte[])field.Value!)).Append('\n');
            }
        }

        return ([.. keys.Select(k => k.ToString())], text.ToString());
    }
}
