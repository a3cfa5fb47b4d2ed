using System.Diagnostics;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.DescopeApi;

public sealed class ConnectionTokenResilienceTests
{
    [Fact]
    public async Task Service_should_retry_503_and_then_succeed()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.FailNext(2, 503);
        var client = await host.ConnectAsync();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.Equal([503, 503, 200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(520)]
    [InlineData(521)]
    [InlineData(522)]
    [InlineData(524)]
    [InlineData(530)]
    public async Task Service_should_retry_timeouts_and_server_errors(int status)
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.FailNext(1, status);
        var client = await host.ConnectAsync();

        Text(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Equal([status, 200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Theory]
    [InlineData(400, "as invalid")]
    [InlineData(401, "denied by Descope's policy")]
    [InlineData(403, "denied by Descope's policy")]
    [InlineData(404, "have not connected")]
    public async Task Service_should_never_retry_client_errors(int status, string explanation)
    {
        await using var host = await StartAsync(o => o.Connections.IncludeConnectUrlInErrors = false);
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.FailNext(1, status);
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains(explanation, error, StringComparison.Ordinal);
        Assert.Equal([status], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Service_should_retry_a_dropped_connection()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.DropNext(1);
        var client = await host.ConnectAsync();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.Equal([0, 200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Service_should_wait_the_Retry_After_of_a_429_when_it_fits_in_the_total_timeout()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.RateLimitNext(1, TimeSpan.FromSeconds(1));
        var client = await host.ConnectAsync();
        var clock = Stopwatch.StartNew();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"The retry came after {clock.Elapsed}, before the Retry-After.");
        Assert.Equal([429, 200], host.Vault.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Service_should_not_wait_for_a_Retry_After_beyond_the_total_timeout()
    {
        await using var host = await StartAsync(o => o.Connections.TotalTimeout = TimeSpan.FromSeconds(5));
        host.Vault.Faults.FailNext(1, 503, retryAfter: TimeSpan.FromSeconds(30));
        var client = await host.ConnectAsync();
        var clock = Stopwatch.StartNew();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("could not provide a token", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"The failure took {clock.Elapsed}.");
        Assert.Single(host.Vault.Requests);
    }

    [Fact]
    public async Task Service_should_abandon_a_slow_attempt_and_retry()
    {
        await using var host = await StartAsync(o => o.Connections.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.SlowNext(1, TimeSpan.FromSeconds(5));
        var client = await host.ConnectAsync();
        var clock = Stopwatch.StartNew();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"The call took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Service_should_give_up_at_the_total_timeout_with_an_explained_error()
    {
        await using var host = await StartAsync(o =>
        {
            o.Connections.TotalTimeout = TimeSpan.FromMilliseconds(800);
            o.Connections.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        });
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.Delay = TimeSpan.FromSeconds(5);
        var client = await host.ConnectAsync();
        var clock = Stopwatch.StartNew();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("could not provide a token", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"The call took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Circuit_breaker_should_open_and_fail_fast_without_calling_Descope()
    {
        await using var host = await StartAsync(o =>
        {
            o.Connections.MaxRetryAttempts = 2;
            o.Connections.CircuitBreakerMinimumThroughput = 2;
            o.Connections.CircuitBreakerFailureRatio = 0.5;
            o.Connections.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30);
        });
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.FailNext(100, 503);
        var client = await host.ConnectAsync();
        Assert.Contains("could not provide a token", ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })), StringComparison.Ordinal);
        var sent = host.Vault.Requests.Count;
        host.Vault.Faults.Reset();
        var clock = Stopwatch.StartNew();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("could not provide a token", error, StringComparison.Ordinal);
        Assert.Equal(sent, host.Vault.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"The open circuit took {clock.Elapsed} to answer.");
    }

    [Fact]
    public async Task Rate_limits_do_not_open_the_circuit_for_everyone()
    {
        await using var host = await StartAsync(o =>
        {
            o.Connections.MaxRetryAttempts = 0;
            o.Connections.CircuitBreakerMinimumThroughput = 2;
        });
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.RateLimitNext(5, TimeSpan.FromSeconds(60));
        var client = await host.ConnectAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains("rate limiting", ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })), StringComparison.Ordinal);
        }

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
    }
}
