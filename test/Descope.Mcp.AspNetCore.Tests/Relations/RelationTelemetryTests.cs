using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// What an operator sees of relation checks: <c>descope.mcp.fga.checks</c> by outcome and cache result (never a resource
/// ID), one <c>descope.fga.check</c> activity per request to Descope in the caller's trace, one audit event per denial
/// naming the relation, resource type and resource ID, and never the management key.
/// </summary>
public sealed class RelationTelemetryTests
{
    [Fact]
    public async Task Checks_are_counted_by_outcome_and_cache_result_without_resource_ids()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        using var checks = host.Collect<long>("descope.mcp.fga.checks");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        await CallAsync(client, "read_calendar", new { calendar_id = "company" });
        host.Relations.Faults.FailNext(4);
        await CallAsync(client, "read_calendar", new { calendar_id = "board" });

        Assert.Equal(
            ["allowed/hit", "allowed/miss", "denied/miss", "error/miss"],
            checks.GetMeasurementSnapshot().Select(m => $"{m.Tags["descope.outcome"]}/{m.Tags["descope.fga.cache"]}").Order());
        Assert.All(checks.GetMeasurementSnapshot(), m => Assert.Equal(["descope.fga.cache", "descope.outcome"], m.Tags.Keys.Order()));
    }

    [Fact]
    public async Task Each_request_to_Descope_is_an_activity_in_the_callers_trace()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        using var recorder = new ActivityRecorder();
        host.Relations.Faults.FailNext(1);

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        var check = Assert.Single(recorder.Named("descope.fga.check"));
        Assert.Equal(1, check.GetTagItem("descope.fga.tuples"));
        Assert.Equal(2, check.GetTagItem("descope.fga.attempts"));
        Assert.Equal("success", check.GetTagItem("descope.outcome"));
        Assert.Single(check.Events, e => e.Name == "retry");
    }

    [Fact]
    public async Task Each_denial_is_an_audit_event_naming_the_relation_and_resource_and_the_key_is_never_logged()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync(Alice, t =>
        {
            t.Claims["dct"] = "T1";
            t.Claims["azp"] = "client-7";
        });

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        var denied = Assert.Single(host.Audit, e => e.EventId.Id == 7);
        Assert.Equal("RelationDenied", denied.EventId.Name);
        Assert.Equal(Alice, denied.Values["Target"]);
        Assert.Equal("user", denied.Values["TargetType"]);
        Assert.Equal("T1", denied.Values["TenantId"]);
        Assert.Equal("client-7", denied.Values["ClientId"]);
        Assert.Equal("viewer", denied.Values["Relation"]);
        Assert.Equal("calendar", denied.Values["ResourceType"]);
        Assert.Equal("team", denied.Values["ResourceId"]);
        Assert.Equal("read_calendar", denied.Values["PrimitiveName"]);
        Assert.Empty(host.Logs.EntriesContaining(ManagementKey));
    }
}
