using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// Fail closed: when Descope cannot answer a relation check (5xx after retries, too slow, the circuit open, a refused
/// management key), the call is refused with a "could not check" error distinct from a denial, the tool never runs, and
/// nothing about the failure is cached.
/// </summary>
public sealed class RelationFaultTests
{
    [Fact]
    public async Task Descope_failing_after_the_retries_refuses_the_call_as_could_not_check_not_as_denied()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.FailNext(4, statusCode: 503);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.StartsWith("Could not check whether the caller has the relation viewer on calendar 'team'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Forbidden", text, StringComparison.Ordinal);
        Assert.Null(result.Meta?["io.modelcontextprotocol/authorization"]);
        Assert.Equal([503, 503, 503, 503], host.Relations.Requests.Select(r => r.StatusCode));
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_the_call_goes_through()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.FailNext(2, statusCode: 502);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal([502, 502, 200], host.Relations.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_failure_is_never_cached()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.FailNext(4);

        var failed = await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        var retried = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(failed.IsError);
        Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(retried.Content)).Text);
        Assert.Equal(1, host.Calls.Of("read_calendar"));
    }

    [Fact]
    public async Task Descope_too_slow_refuses_the_call_as_could_not_check()
    {
        await using var host = await StartAsync(o =>
        {
            o.Fga.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            o.Fga.TotalTimeout = TimeSpan.FromMilliseconds(600);
        });
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.Delay = TimeSpan.FromSeconds(5);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(result.IsError);
        Assert.StartsWith("Could not check", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task A_dropped_connection_refuses_the_call_as_could_not_check()
    {
        await using var host = await StartAsync(o => o.Connections.MaxRetryAttempts = 0);
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.DropNext(1);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.StartsWith("Could not check", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task A_management_key_Descope_refuses_is_could_not_check_without_retries()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        host.Relations.ManagementKey = "K2AnotherKey";
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.Equal(
            "Could not check whether the caller has the relation viewer on calendar 'team': Descope refused the check. The tool did not run; try again later.",
            Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal([401], host.Relations.Requests.Select(r => r.StatusCode));
        Assert.Empty(host.Logs.EntriesContaining(ManagementKey));
        Assert.Empty(host.Logs.EntriesContaining("K2AnotherKey"));
    }

    [Fact]
    public async Task While_the_circuit_is_open_calls_are_refused_at_once_without_asking_Descope()
    {
        await using var host = await StartAsync(o =>
        {
            o.Connections.MaxRetryAttempts = 0;
            o.Connections.CircuitBreakerMinimumThroughput = 2;
            o.Connections.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(1);
        });
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.FailNext(2, statusCode: 500);

        await CallAsync(client, "read_calendar", new { calendar_id = "a" });
        await CallAsync(client, "read_calendar", new { calendar_id = "b" });
        var whileOpen = await CallAsync(client, "read_calendar", new { calendar_id = "c" });

        Assert.StartsWith("Could not check", Assert.IsType<TextContentBlock>(Assert.Single(whileOpen.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(2, host.Relations.Requests.Count);
    }
}
