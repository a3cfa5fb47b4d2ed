using System.Diagnostics;
using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// The library's traces, metrics and audit events, read as an operator's OpenTelemetry pipeline reads them: through an
/// activity listener on <see cref="DescopeMcpDefaults.ActivitySourceName"/> and the server's own
/// <see cref="DescopeMcpDefaults.MeterName"/> meter, while real clients make real requests.
/// </summary>
public sealed class TelemetryTests
{
    private const string Outcome = "descope.outcome";

    [Fact]
    public async Task Token_validations_are_counted_by_outcome_and_traced_only_when_they_do_work()
    {
        await using var host = await ObservedServer.StartAsync();
        await host.KeysLoadedAsync();
        using var validations = host.Collect<long>("descope.mcp.token.validations");
        using var recorder = new ActivityRecorder();
        var token = host.Authority.CreateToken();

        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(host.Server.McpRequest(token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(host.Server.McpRequest(token))).StatusCode);
        var expired = host.Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(host.Server.McpRequest(expired))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(host.Server.McpRequest("not-a-jwt"))).StatusCode);

        Assert.Equal(
            ["expired", "malformed", "remembered", "valid"],
            validations.GetMeasurementSnapshot().Select(m => (string)m.Tags[Outcome]!).Order());
        Assert.Equal(
            ["expired", "malformed", "valid"],
            recorder.Named("descope.token.validate").Select(a => a.GetTagItem(Outcome) as string).Order());
        var requests = recorder.Named("Microsoft.AspNetCore.Hosting.HttpRequestIn");
        Assert.Single(requests, r => r.GetTagItem("descope.token.outcome") as string == "remembered");
    }

    [Fact]
    public async Task Authorization_decisions_are_counted_traced_and_refusals_audited_with_the_trace()
    {
        await using var host = await ObservedServer.StartAsync();
        using var decisions = host.Collect<long>("descope.mcp.authorization.decisions");
        using var recorder = new ActivityRecorder();
        var token = host.Authority.CreateToken(t =>
        {
            t.Subject = "U2Auditor";
            t.Claims["azp"] = "client-7";
            t.Claims["dct"] = "T1";
        });

        Assert.Equal(HttpStatusCode.OK, (await host.CallToolAsync(token, "ping")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.CallToolAsync(token, "list_events")).StatusCode);
        var refused = await host.CallToolAsync(host.Authority.CreateToken(t => t.Scopes.Add("audit.read")), "audit");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        Assert.Equal(
            ["allowed", "forbidden", "step_up"],
            decisions.GetMeasurementSnapshot().Select(m => (string)m.Tags["descope.authorization.decision"]!).Order());
        Assert.All(decisions.GetMeasurementSnapshot(), m => Assert.Equal("tool", m.Tags["descope.mcp.primitive.kind"]));

        var stepUp = Assert.Single(recorder.Named("descope.authorize"), a => a.GetTagItem("descope.authorization.decision") as string == "step_up");
        Assert.Equal("list_events", stepUp.GetTagItem("descope.mcp.primitive.name"));
        Assert.Equal("calendar.read", stepUp.GetTagItem("descope.authorization.missing_scopes"));

        var audited = Assert.Single(host.Audit, e => e.EventId.Id == 1);
        Assert.Equal("AuthorizationStepUpRequired", audited.EventId.Name);
        Assert.Equal("U2Auditor", audited.Values["UserId"]);
        Assert.Equal("T1", audited.Values["TenantId"]);
        Assert.Equal("client-7", audited.Values["ClientId"]);
        Assert.Equal("list_events", audited.Values["PrimitiveName"]);
        Assert.Equal("calendar.read", audited.Values["MissingScopes"]);
        Assert.Equal(recorder.TraceId.ToString(), audited.Scopes["TraceId"]?.ToString());

        var forbidden = Assert.Single(host.Audit, e => e.EventId.Id == 2);
        Assert.Equal("audit", forbidden.Values["PrimitiveName"]);
    }

    [Fact]
    public async Task Decisions_on_prompts_and_resources_are_counted_and_audited_by_their_kind()
    {
        await using var host = await ObservedServer.StartAsync();
        using var decisions = host.Collect<long>("descope.mcp.authorization.decisions");
        var token = host.Authority.CreateToken(t => t.Subject = "U3Reader");

        Assert.Equal(HttpStatusCode.Forbidden, (await host.SendAsync(token, "prompts/get", new { name = "weekly_review" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.SendAsync(token, "resources/read", new { uri = "calendar://agenda" })).StatusCode);
        var granted = host.Authority.CreateToken(t => t.Scopes.Add("calendar.read"));
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(granted, "prompts/get", new { name = "weekly_review" })).StatusCode);

        Assert.Equal(
            ["prompt allowed", "prompt step_up", "resource step_up"],
            decisions.GetMeasurementSnapshot()
                .Select(m => $"{m.Tags["descope.mcp.primitive.kind"]} {m.Tags["descope.authorization.decision"]}")
                .Order());
        Assert.Equal(
            ["calendar://agenda", "weekly_review"],
            host.Audit.Where(e => e.EventId.Id == 1).Select(e => (string)e.Values["PrimitiveName"]!).Order());
    }

    [Fact]
    public async Task Decisions_on_callers_without_credentials_are_counted_as_sign_in_and_never_audited()
    {
        await using var host = await ObservedServer.StartAsync(o => o.AnonymousAccess = AnonymousAccess.PublicPrimitives);
        using var decisions = host.Collect<long>("descope.mcp.authorization.decisions");
        using var recorder = new ActivityRecorder();

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CallToolAsync(token: null, "list_events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.CallToolAsync(token: null, "public_info")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CallToolAsync(token: null, "a-name-nobody-registered")).StatusCode);

        Assert.Equal(
            ["allowed", "sign_in"],
            decisions.GetMeasurementSnapshot().Select(m => (string)m.Tags["descope.authorization.decision"]!).Order());
        Assert.Equal(
            ["list_events", "public_info"],
            recorder.Named("descope.authorize").Select(a => a.GetTagItem("descope.mcp.primitive.name") as string).Order());
        Assert.Empty(host.Audit);
    }

    [Fact]
    public async Task Connection_token_requests_are_counted_by_cache_result_timed_traced_and_audited()
    {
        await using var host = await ObservedServer.StartAsync();
        using var requests = host.Collect<long>("descope.mcp.connection_token.requests");
        using var duration = host.Collect<double>("descope.mcp.connection_token.duration");
        using var recorder = new ActivityRecorder();
        host.Authority.Connections.AddUserConnection(ObservedServer.Calendar, ConnectionTestHost.Alice);
        await using var client = await host.ConnectAsync(AliceToken(host.Authority));

        ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ObservedServer.Calendar }));
        ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ObservedServer.Calendar }));
        ConnectionTestHost.ErrorText(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = "github" }));

        Assert.Equal(
            ["github miss not_connected", "google-calendar hit issued", "google-calendar miss issued"],
            requests.GetMeasurementSnapshot()
                .Select(m => $"{m.Tags["descope.connection.app_id"]} {m.Tags["descope.connection.cache"]} {m.Tags[Outcome]}")
                .Order());
        var calls = duration.GetMeasurementSnapshot();
        Assert.Equal(["github not_connected", "google-calendar issued"], calls.Select(m => $"{m.Tags["descope.connection.app_id"]} {m.Tags[Outcome]}").Order());
        Assert.All(calls, m => Assert.True(m.Value > 0));

        var activities = recorder.Named("descope.connection_token.get");
        Assert.Equal(3, activities.Count);
        var miss = Assert.Single(activities, a => a.GetTagItem("descope.connection.cache") as string == "miss" && a.GetTagItem(Outcome) as string == "issued");
        var refused = Assert.Single(activities, a => a.GetTagItem(Outcome) as string == "not_connected");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(1, miss.GetTagItem("descope.connection.attempts"));
        Assert.Equal("user", miss.GetTagItem("descope.connection.owner"));

        Assert.Equal(
            ["ConnectionTokenIssued False", "ConnectionTokenIssued True", "ConnectionTokenRefused"],
            host.Audit.Where(e => e.EventId.Id is 3 or 4)
                .Select(e => (e.EventId.Name + " " + (e.Values.TryGetValue("FromCache", out var cached) ? cached : null)).Trim())
                .Order());
        Assert.All(host.Audit.Where(e => e.EventId.Id is 3 or 4), e => Assert.Equal(ConnectionTestHost.Alice, e.Values["OwnerId"]));
    }

    [Fact]
    public async Task A_retried_call_to_Descope_records_its_attempts()
    {
        await using var host = await ObservedServer.StartAsync();
        using var recorder = new ActivityRecorder();
        host.Authority.Connections.AddUserConnection(ObservedServer.Calendar, ConnectionTestHost.Alice);
        host.Authority.Connections.Faults.FailNext(2, 503);
        await using var client = await host.ConnectAsync(AliceToken(host.Authority));

        ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ObservedServer.Calendar }));

        var activity = Assert.Single(recorder.Named("descope.connection_token.get"));
        Assert.Equal(3, activity.GetTagItem("descope.connection.attempts"));
        Assert.Equal(2, activity.Events.Count(e => e.Name == "retry"));
    }

    [Fact]
    public async Task Signing_key_loads_are_counted_and_traced_with_what_triggered_them()
    {
        await using var host = await ObservedServer.StartAsync(options => options.KeyRefreshInterval = TimeSpan.FromSeconds(1));
        await host.KeysLoadedAsync();
        using var loads = host.Collect<long>("descope.mcp.signing_keys.loads");
        using var recorder = new ActivityRecorder();

        host.Authority.RotateSigningKey();
        var rotated = host.Authority.CreateToken();
        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(host.Server.McpRequest(rotated))).StatusCode);

        Assert.Equal("success", Assert.Single(loads.GetMeasurementSnapshot()).Tags[Outcome]);
        var load = Assert.Single(recorder.Named("descope.signing_keys.load"));
        Assert.Equal("unknown_key", load.GetTagItem("descope.signing_keys.trigger"));
        Assert.Equal("success", load.GetTagItem(Outcome));
        Assert.Equal(recorder.Named("descope.token.validate").Single().SpanId, load.ParentSpanId);

        // The next rotation meets an outage: the reload fails, and says so.
        host.Authority.MetadataAvailable = false;
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        host.Authority.RotateSigningKey();
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(host.Server.McpRequest(host.Authority.CreateToken()))).StatusCode);

        Assert.Equal(["failure", "success"], loads.GetMeasurementSnapshot().Select(m => (string)m.Tags[Outcome]!).Order());
        var failed = Assert.Single(recorder.Named("descope.signing_keys.load"), a => a.GetTagItem(Outcome) as string == "failure");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }

    [Fact]
    public async Task No_tag_log_line_or_exception_carries_any_fragment_of_a_token()
    {
        await using var host = await ObservedServer.StartAsync();
        await host.KeysLoadedAsync();
        using var recorder = new ActivityRecorder();
        var connection = host.Authority.Connections.AddUserConnection(ObservedServer.Calendar, ConnectionTestHost.Alice);
        var caller = AliceToken(host.Authority);
        var expired = host.Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1));
        var forged = caller[..caller.LastIndexOf('.')] + ".c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LWZvcmdlZA";

        // Validation (valid, remembered, expired, forged), a step-up, connection tokens (fetched, cached, with a refresh
        // token, refused).
        await using (var client = await host.ConnectAsync(caller))
        {
            ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ObservedServer.Calendar }));
            ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ObservedServer.Calendar }));
            ConnectionTestHost.ErrorText(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = "github" }));
            Assert.Equal("refresh token received", ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(
                client, "user_token_with_refresh", new { appId = ObservedServer.Calendar, userId = ConnectionTestHost.Alice })));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await host.CallToolAsync(caller, "list_events")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(host.Server.McpRequest(expired))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(host.Server.McpRequest(forged))).StatusCode);

        string[] secrets = [.. Fragments(caller), .. Fragments(expired), .. Fragments(forged), connection.AccessToken, connection.RefreshToken];
        var activities = recorder.Activities;
        Assert.Contains(activities, a => a.Source.Name == DescopeMcpDefaults.ActivitySourceName);
        var texts = activities.SelectMany(a => a.TagObjects.Select(t => t.Key + "=" + t.Value)
                .Concat(a.Events.SelectMany(e => e.Tags.Select(t => e.Name + ":" + t.Key + "=" + t.Value)))
                .Append(a.DisplayName + " " + a.StatusDescription))
            .Concat(host.Logs.Entries.Select(e => e.AllText))
            .ToList();
        Assert.Contains(texts, t => t.Contains("AuthorizationStepUpRequired", StringComparison.Ordinal) || t.Contains("Step-up required", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(texts, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static string AliceToken(DescopeTestAuthority authority) => authority.CreateToken(t =>
    {
        t.Subject = ConnectionTestHost.Alice;
        t.Scopes.Add(TestConnectionVault.FetchScope);
    });

    /// <summary>The token and each of its segments; the payload and header are only base64url, so each is a secret's part.</summary>
    private static IEnumerable<string> Fragments(string token) => [token, .. token.Split('.').Where(s => s.Length >= 8)];
}
