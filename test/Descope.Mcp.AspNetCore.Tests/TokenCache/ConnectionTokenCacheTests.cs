using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.TokenCache;

public sealed class ConnectionTokenCacheTests
{
    [Fact]
    public async Task Service_should_hit_network_only_once_and_then_use_cache()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();

        var first = Text(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));
        var second = Text(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));

        Assert.Equal(connection.AccessToken, first);
        Assert.Equal(first, second);
        Assert.Equal(1, host.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task Force_refresh_should_skip_the_cache_ask_Descope_to_refresh_and_cache_the_new_token()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();
        var before = Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        var refreshed = Text(await CallAsync(client, "user_token", new { appId = Calendar, forceRefresh = true }));
        var after = Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.NotEqual(before, refreshed);
        Assert.Equal(connection.AccessToken, refreshed);
        Assert.Equal(refreshed, after);
        Assert.Equal(1, connection.Refreshes);
        Assert.Equal(2, host.Vault.TokenRequestCount);
        Assert.Contains("\"forceRefresh\":true", host.Vault.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fifty_concurrent_identical_calls_should_make_one_upstream_call()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();
        host.Vault.Faults.Hold();

        var calls = Enumerable.Range(0, 50)
            .Select(_ => CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }))
            .ToArray();
        await WaitUntilAsync(() => host.Probe.Entered == 50);
        await Task.Delay(300); // every call is now past the tool's first line and waiting on the cache or on Descope
        host.Vault.Faults.Release();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(connection.AccessToken, Text(r)));
        Assert.Equal(1, host.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task Different_users_apps_tenants_and_scope_sets_should_never_share_an_entry()
    {
        await using var host = await StartAsync();
        var alice = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope, "b"]);
        var aliceInT1 = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope], tenantId: "T1");
        var aliceSlack = host.Vault.AddUserConnection("slack", Alice, ["chat:write"]);
        var bob = host.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        var aliceClient = await host.ConnectAsync();
        var bobClient = await host.ConnectAsync("U2Bob");

        Assert.Equal(alice.AccessToken, Text(await CallAsync(aliceClient, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } })));
        Assert.Equal(alice.AccessToken, Text(await CallAsync(aliceClient, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope, "b" } })));
        Assert.Equal(aliceInT1.AccessToken, Text(await CallAsync(aliceClient, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope }, tenantId = "T1" })));
        Assert.Equal(aliceSlack.AccessToken, Text(await CallAsync(aliceClient, "user_token", new { appId = "slack", scopes = new[] { "chat:write" } })));
        Assert.Equal(bob.AccessToken, Text(await CallAsync(bobClient, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } })));
        Assert.Equal(5, host.Vault.TokenRequestCount);

        // The same scope set in another order is the same entry.
        Assert.Equal(alice.AccessToken, Text(await CallAsync(aliceClient, "user_token", new { appId = Calendar, scopes = new[] { "b", CalendarScope } })));
        Assert.Equal(5, host.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task A_cached_token_is_only_handed_back_under_the_caller_token_that_fetched_it()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var firstSession = await host.ConnectAsync(configure: t => t.Claims["sid"] = "one");
        var secondSession = await host.ConnectAsync(configure: t => t.Claims["sid"] = "two");

        Text(await CallAsync(firstSession, "user_token", new { appId = Calendar }));
        Text(await CallAsync(secondSession, "user_token", new { appId = Calendar }));

        Assert.Equal(2, host.Vault.TokenRequestCount);
        Assert.NotEqual(host.Vault.Requests[0].Authorization, host.Vault.Requests[1].Authorization);
    }

    [Fact]
    public async Task Failures_should_never_be_cached()
    {
        await using var host = await StartAsync(o => o.Connections.IncludeConnectUrlInErrors = false);
        var client = await host.ConnectAsync();
        ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.Equal([404, 200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task One_caller_cancelling_should_not_fail_the_others_waiting_for_the_same_token()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var accessToken = host.AccessToken();
        var leaving = await host.ConnectWithAsync(accessToken);
        var staying = await host.ConnectWithAsync(accessToken);
        host.Vault.Faults.Hold();
        using var cancel = new CancellationTokenSource();

        var left = CallAsync(leaving, "user_token", new { appId = Calendar }, cancel.Token);
        var stayed = CallAsync(staying, "user_token", new { appId = Calendar });
        await WaitUntilAsync(() => host.Probe.Entered == 2);
        await Task.Delay(300);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        host.Vault.Faults.Release();

        Assert.Equal(connection.AccessToken, Text(await stayed));
        Assert.Equal([200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_token_within_the_expiry_buffer_should_be_refreshed_not_handed_out()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(
            o =>
            {
                o.Connections.CacheMaxLifetime = TimeSpan.FromHours(1);
                o.Connections.CacheExpiryBuffer = TimeSpan.FromMinutes(1);
            },
            s => s.AddSingleton<TimeProvider>(clock));
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        connection.ExpiresAt = clock.GetUtcNow().AddMinutes(10);
        var client = await host.ConnectAsync();
        var first = Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal(first, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
        Assert.Equal(1, host.Vault.TokenRequestCount);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var renewed = Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.NotEqual(first, renewed);
        Assert.Equal(2, host.Vault.TokenRequestCount);
        Assert.Contains("\"forceRefresh\":true", host.Vault.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_older_than_the_maximum_lifetime_should_be_fetched_again_so_policies_apply_anew()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(o => o.Connections.CacheMaxLifetime = TimeSpan.FromMinutes(1), s => s.AddSingleton<TimeProvider>(clock));
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();
        Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        clock.Advance(TimeSpan.FromSeconds(59));
        Text(await CallAsync(client, "user_token", new { appId = Calendar }));
        Assert.Equal(1, host.Vault.TokenRequestCount);

        host.Vault.DenyApp(Calendar);
        clock.Advance(TimeSpan.FromSeconds(2));
        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("denied by Descope's policy", error, StringComparison.Ordinal);
        Assert.Contains("\"forceRefresh\":false", host.Vault.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_maximum_lifetime_of_zero_should_disable_caching()
    {
        await using var host = await StartAsync(o => o.Connections.CacheMaxLifetime = TimeSpan.Zero);
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();

        Text(await CallAsync(client, "user_token", new { appId = Calendar }));
        Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Equal(2, host.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task Answers_with_a_refresh_token_should_never_be_cached()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();
        var request = new UserConnectionTokenRequest { AppId = Calendar, UserId = Alice, WithRefreshToken = true, UseManagementKey = true };

        await service.GetUserTokenAsync(request);
        await service.GetUserTokenAsync(request);

        Assert.Equal(2, host.Vault.TokenRequestCount);
    }

    [Fact]
    public async Task A_broken_cache_should_fall_back_to_a_direct_fetch()
    {
        await using var host = await StartAsync(services: s => s.AddSingleton<HybridCache, BrokenHybridCache>());
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
        Assert.Equal(1, host.Vault.TokenRequestCount);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class BrokenHybridCache : HybridCache
    {
        public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory,
            HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The cache is down.");

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The cache is down.");

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The cache is down.");

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The cache is down.");
    }
}
