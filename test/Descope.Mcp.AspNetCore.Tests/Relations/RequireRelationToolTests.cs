using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// <see cref="RequireRelationAttribute"/> on tools, through real HTTP and the MCP SDK's own client: the caller's relation
/// with the resource an argument names is checked with the test authority's Descope-shaped FGA check before the tool runs;
/// a caller without it gets a tool error carrying the structured denial, never a step-up, and the tool never runs.
/// </summary>
public sealed class RequireRelationToolTests
{
    private const string Denial = """{"reason":"insufficient_authorization","remediation":"unavailable"}""";

    [Fact]
    public async Task A_caller_with_the_relation_calls_the_tool_after_one_check_sent_with_the_management_key()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        var check = Assert.Single(host.Relations.Requests);
        Assert.Equal(200, check.StatusCode);
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{ManagementKey}", check.Authorization);
        Assert.Equal(
            """{"tuples":[{"resource":"team","resourceType":"calendar","relation":"viewer","target":"U2Alice","targetType":"user"}]}""",
            check.Body);
    }

    [Fact]
    public async Task A_caller_without_the_relation_gets_a_tool_error_naming_it_with_the_structured_denial_and_the_tool_never_runs()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Bob, "viewer", "calendar", "team");

        var (status, message, response) = await host.CallToolRawAsync(host.TokenFor(Alice), "read_calendar", new JsonObject { ["calendar_id"] = "team" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var result = message["result"]!;
        Assert.True((bool?)result["isError"]);
        var text = (string)result["content"]![0]!["text"]!;
        Assert.Contains("the relation viewer on calendar 'team'", text, StringComparison.Ordinal);
        Assert.Equal(Denial, result["_meta"]!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Equal("""[{"relation":"viewer","resourceType":"calendar","resource":"team"}]""", result["_meta"]!["com.descope/relations"]!.ToJsonString());
        Assert.Equal(0, host.Calls.Of("read_calendar"));
    }

    [Fact]
    public async Task The_mcp_client_sees_the_denial_as_a_tool_result_with_its_meta()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(result.IsError);
        Assert.Equal(Denial, result.Meta!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Equal(0, host.Calls.Of("read_calendar"));
    }

    [Fact]
    public async Task A_missing_scope_is_a_step_up_before_any_relation_is_checked()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "owner", "calendar", "team");

        var (status, _, response) = await host.CallToolRawAsync(host.TokenFor(Alice), "delete_calendar", new JsonObject { ["calendar_id"] = "team" });
        var (granted, message, _) = await host.CallToolRawAsync(
            host.TokenFor(Alice, t => t.Scopes.Add("calendar.admin")), "delete_calendar", new JsonObject { ["calendar_id"] = "team" });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, granted);
        Assert.Equal("deleted team", (string?)message["result"]!["content"]![0]!["text"]);
        Assert.Single(host.Relations.Requests);
    }

    [Fact]
    public async Task The_default_of_an_omitted_argument_is_the_resource_checked()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "primary");
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_calendar");

        Assert.Equal("events of primary", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal("primary", (string?)TuplesOf(Assert.Single(host.Relations.Requests))[0]!["resource"]);
    }

    [Fact]
    public async Task Several_relations_are_checked_in_one_request_and_all_must_hold()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "editor", "calendar", "team");
        host.Authority.AddRelation(Alice, "viewer", "event", "e1");
        var client = await host.ConnectAsync(Alice);

        var denied = await CallAsync(client, "move_event", new { from = "team", to = "company", event_id = "e1" });

        Assert.True(denied.IsError);
        Assert.Equal(
            """[{"relation":"editor","resourceType":"calendar","resource":"company"}]""",
            denied.Meta!["com.descope/relations"]!.ToJsonString());
        Assert.Contains("the relation editor on calendar 'company'", Assert.IsType<TextContentBlock>(Assert.Single(denied.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(["team", "company", "e1"], TuplesOf(Assert.Single(host.Relations.Requests)).Select(t => (string)t!["resource"]!));
        Assert.Equal(0, host.Calls.Of("move_event"));
    }

    [Fact]
    public async Task Only_the_relations_not_cached_are_asked_and_together()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "editor", "calendar", "team");
        host.Authority.AddRelation(Alice, "editor", "calendar", "company");
        host.Authority.AddRelation(Alice, "viewer", "event", "e1");
        host.Authority.AddRelation(Alice, "editor", "calendar", "board");
        host.Authority.AddRelation(Alice, "viewer", "event", "e2");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "move_event", new { from = "team", to = "company", event_id = "e1" });
        var moved = await CallAsync(client, "move_event", new { from = "team", to = "board", event_id = "e2" });

        Assert.Equal("moved e2 from team to board", Assert.IsType<TextContentBlock>(Assert.Single(moved.Content)).Text);
        Assert.Equal(["board", "e2"], TuplesOf(host.Relations.Requests[1]).Select(t => (string)t!["resource"]!));
        Assert.Equal(2, host.Relations.Requests.Count);
    }

    [Fact]
    public async Task Three_relations_never_checked_before_go_to_Descope_in_one_request()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "editor", "calendar", "team");
        host.Authority.AddRelation(Alice, "editor", "calendar", "company");
        host.Authority.AddRelation(Alice, "viewer", "event", "e1");
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "move_event", new { from = "team", to = "company", event_id = "e1" });

        Assert.Equal("moved e1 from team to company", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(3, TuplesOf(Assert.Single(host.Relations.Requests)).Count);
    }

    [Theory]
    [InlineData("read_account", """{"account_id":"42"}""")]
    [InlineData("read_account", """{"account_id":42.0}""")]
    [InlineData("read_calendar", """{"Calendar_Id":"team"}""")]
    [InlineData("read_calendar", """{"calendar_id":"team","CALENDAR_ID":"company"}""")]
    [InlineData("read_calendar", """{"calendar_id":42}""")]
    [InlineData("read_calendar", """{"calendar_id":"team","other":"x"}""")]
    public async Task Spellings_the_tool_would_bind_leniently_are_refused_before_Descope_is_asked(string tool, string arguments)
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "account", "42");
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");

        var (status, message, _) = await host.CallToolRawAsync(host.TokenFor(Alice), tool, JsonNode.Parse(arguments)!.AsObject());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
        Assert.Empty(host.Relations.Requests);
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task An_integer_argument_is_checked_as_the_number_the_tool_receives()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "account", "42");
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_account", new { account_id = 42 });

        Assert.Equal("account 42", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal("42", (string?)TuplesOf(Assert.Single(host.Relations.Requests))[0]!["resource"]);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"calendar_id":null}""")]
    [InlineData("""{"calendar_id":""}""")]
    public async Task A_missing_null_or_empty_argument_is_refused_before_Descope_is_asked(string arguments)
    {
        await using var host = await StartAsync();

        var (status, message, _) = await host.CallToolRawAsync(host.TokenFor(Alice), "read_maybe", JsonNode.Parse(arguments)!.AsObject());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
        Assert.Contains("arguments.calendar_id", (string?)message["error"]!["message"], StringComparison.Ordinal);
        Assert.Empty(host.Relations.Requests);
        Assert.Equal(0, host.Calls.Of("read_maybe"));
    }

    [Fact]
    public async Task A_machine_caller_is_refused_without_asking_Descope_when_no_client_target_type_is_set()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectWithAsync(host.Authority.CreateToken(t =>
        {
            t.Subject = null;
            t.Claims["client_id"] = "app-reporting";
        }));

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(result.IsError);
        Assert.Contains("machine caller", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(Denial, result.Meta!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Empty(host.Relations.Requests);
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task With_a_client_target_type_a_machine_caller_is_checked_as_its_client_and_never_as_a_user()
    {
        await using var host = await StartAsync(o => o.Fga.ClientTargetType = "client");
        host.Authority.AddRelation("app-reporting", "viewer", "calendar", "team", targetType: "client");
        host.Authority.AddRelation("app-reporting", "viewer", "calendar", "company");
        var machine = await host.ConnectWithAsync(host.Authority.CreateToken(t =>
        {
            t.Subject = "app-reporting";
            t.Claims["azp"] = "app-reporting";
        }));

        var allowed = await CallAsync(machine, "read_calendar", new { calendar_id = "team" });
        var denied = await CallAsync(machine, "read_calendar", new { calendar_id = "company" });

        Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(allowed.Content)).Text);
        Assert.True(denied.IsError);
        Assert.All(host.Relations.Requests.Select(TuplesOf), tuples => Assert.Equal("client", (string?)tuples[0]!["targetType"]));
    }

    [Fact]
    public async Task N_identical_concurrent_calls_make_one_check()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.Hold();

        var calls = Enumerable.Range(0, 8).Select(_ => CallAsync(client, "read_calendar", new { calendar_id = "team" })).ToList();
        await WaitUntilAsync(() => host.Authority.Requests.To("/v1/mgmt/fga/check") > 0);
        await Task.Delay(300); // every call is now past the gate and waiting on the cache or on Descope
        host.Relations.Faults.Release();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(r.Content)).Text));
        Assert.Single(host.Relations.Requests);
        Assert.Equal(8, host.Calls.Of("read_calendar"));
    }

    [Fact]
    public async Task Answers_allowed_and_denied_are_reused_for_the_same_caller_and_resource()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        await CallAsync(client, "read_calendar", new { calendar_id = "company" });
        host.Relations.Remove(Alice, "viewer", "calendar", "team");
        host.Authority.AddRelation(Alice, "viewer", "calendar", "company");
        var team = await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        var company = await CallAsync(client, "read_calendar", new { calendar_id = "company" });

        Assert.NotEqual(true, team.IsError);
        Assert.True(company.IsError);
        Assert.Equal(2, host.Relations.Requests.Count);
    }

    [Fact]
    public async Task Removing_the_fga_cache_tag_forgets_every_answer()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        host.Relations.Remove(Alice, "viewer", "calendar", "team");
        await host.Server.Services.GetRequiredService<HybridCache>().RemoveByTagAsync(DescopeMcpDefaults.FgaCacheTag);
        var afterRemoval = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(afterRemoval.IsError);
        Assert.Equal(2, host.Relations.Requests.Count);
    }

    [Fact]
    public async Task With_caching_off_every_call_asks_Descope()
    {
        await using var host = await StartAsync(o => o.Fga.CacheDuration = TimeSpan.Zero);
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "read_calendar", new { calendar_id = "team" });
        host.Relations.Remove(Alice, "viewer", "calendar", "team");
        var second = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.True(second.IsError);
        Assert.Equal(2, host.Relations.Requests.Count);
    }

    [Fact]
    public async Task No_answer_is_shared_between_users()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var alice = await host.ConnectAsync(Alice);
        var bob = await host.ConnectAsync(Bob);

        var allowed = await CallAsync(alice, "read_calendar", new { calendar_id = "team" });
        var denied = await CallAsync(bob, "read_calendar", new { calendar_id = "team" });

        Assert.NotEqual(true, allowed.IsError);
        Assert.True(denied.IsError);
        Assert.Equal([Alice, Bob], host.Relations.Requests.Select(r => (string)TuplesOf(r)[0]!["target"]!));
    }

    [Fact]
    public async Task No_answer_is_shared_between_tenants_of_one_user()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var inT1 = await host.ConnectAsync(Alice, t => t.Claims["dct"] = "T1");
        var inT2 = await host.ConnectAsync(Alice, t => t.Claims["dct"] = "T2");

        await CallAsync(inT1, "read_calendar", new { calendar_id = "team" });
        host.Relations.Remove(Alice, "viewer", "calendar", "team");
        var otherTenant = await CallAsync(inT2, "read_calendar", new { calendar_id = "team" });
        var sameTenant = await CallAsync(inT1, "read_calendar", new { calendar_id = "team" });

        Assert.True(otherTenant.IsError);
        Assert.NotEqual(true, sameTenant.IsError);
        Assert.Equal(2, host.Relations.Requests.Count);
    }

    [Fact]
    public async Task A_stateful_session_is_held_to_the_same_relations()
    {
        await using var host = await StartAsync(transport: t => t.Stateless = false);
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var token = host.TokenFor(Alice);
        var session = await RawMcp.InitializeSessionAsync(host.Server.Http, host.Server.McpUrl, token);

        async Task<JsonNode> CallInSessionAsync(string calendar)
        {
            var body = RawMcp.Body("tools/call", new JsonObject { ["name"] = "read_calendar", ["arguments"] = new JsonObject { ["calendar_id"] = calendar } }, RawMcp.Stateful);
            using var request = RawMcp.Post(host.Server.McpUrl, token, body, RawMcp.Stateful, ("Mcp-Session-Id", session));
            using var response = await host.Server.Http.SendAsync(request);
            return (await RawMcp.ReadMessageAsync(response))["result"]!;
        }

        var allowed = await CallInSessionAsync("team");
        var denied = await CallInSessionAsync("company");

        Assert.Equal("events of team", (string?)allowed["content"]![0]!["text"]);
        Assert.True((bool?)denied["isError"]);
        Assert.Equal(Denial, denied["_meta"]!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Equal(1, host.Calls.Of("read_calendar"));
    }

    [Fact]
    public async Task Checks_go_to_the_fga_base_url_when_one_is_set()
    {
        await using var cacheService = await Descope.Mcp.AspNetCore.Testing.DescopeTestAuthority.StartAsync();
        cacheService.Relations.ManagementKey = ManagementKey;
        cacheService.AddRelation(Alice, "viewer", "calendar", "team");
        await using var host = await StartAsync(o => o.Fga.BaseUrl = cacheService.BaseUrl.AbsoluteUri);
        var client = await host.ConnectAsync(Alice);

        var result = await CallAsync(client, "read_calendar", new { calendar_id = "team" });

        Assert.Equal("events of team", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Single(cacheService.Relations.Requests);
        Assert.Empty(host.Relations.Requests);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }
    }

    private static Task<RelationTestHost> StartAsync(
        Action<DescopeMcpOptions>? configure = null, Action<ModelContextProtocol.AspNetCore.HttpServerTransportOptions>? transport = null) =>
        RelationTestHost.StartAsync(configure, transport: transport);
}
