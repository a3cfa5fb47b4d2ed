using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// <see cref="IDescopeRelations"/>: a tool checks a relation for its caller (with condition context), and code outside any
/// request checks tuples with explicit targets in one request; answers are typed and cached per tuple and context.
/// </summary>
public sealed class DescopeRelationsServiceTests
{
    [Fact]
    public async Task A_tool_checks_a_relation_for_its_caller()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "editor", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        var team = await CallAsync(client, "can_edit", new { calendar_id = "team" });
        var company = await CallAsync(client, "can_edit", new { calendar_id = "company" });

        Assert.Equal("user:U2Alice editor of team: True (direct: True)", Text(team));
        Assert.Equal("user:U2Alice editor of company: False (direct: False)", Text(company));
    }

    [Fact]
    public async Task The_context_is_sent_for_conditions_and_answers_are_cached_per_context()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "editor", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        await CallAsync(client, "can_edit", new { calendar_id = "team", ip = "10.0.0.1" });
        await CallAsync(client, "can_edit", new { calendar_id = "team", ip = "10.0.0.1" });
        await CallAsync(client, "can_edit", new { calendar_id = "team", ip = "10.0.0.2" });
        await CallAsync(client, "can_edit", new { calendar_id = "team" });

        Assert.Equal(
            ["""{"ip":"10.0.0.1"}""", """{"ip":"10.0.0.2"}""", null],
            host.Relations.Requests.Select(r => JsonNode.Parse(r.Body)!["context"]?.ToJsonString()));
    }

    [Fact]
    public async Task A_machine_caller_without_a_client_target_type_gets_a_typed_failure_and_Descope_is_not_asked()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectWithAsync(host.Authority.CreateToken(t =>
        {
            t.Subject = null;
            t.Claims["client_id"] = "app-reporting";
        }));

        var result = await CallAsync(client, "can_edit", new { calendar_id = "team" });

        Assert.True(result.IsError);
        Assert.Contains("machine client", Text(result, error: true), StringComparison.Ordinal);
        Assert.Empty(host.Relations.Requests);
    }

    [Fact]
    public async Task Code_outside_a_request_checks_tuples_with_explicit_targets_in_one_request()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        host.Authority.AddRelation("group-1", "member", "group", "admins", targetType: "group");
        var relations = host.Server.Services.GetRequiredService<IDescopeRelations>();

        var results = await relations.CheckAsync(
        [
            new RelationTuple { Resource = "team", ResourceType = "calendar", Relation = "viewer", Target = Alice },
            new RelationTuple { Resource = "team", ResourceType = "calendar", Relation = "viewer", Target = Bob },
            new RelationTuple { Resource = "admins", ResourceType = "group", Relation = "member", Target = "group-1", TargetType = "group" },
        ]);

        Assert.Equal([true, false, true], results.Select(r => r.Allowed));
        Assert.Equal(["user", "user", "group"], results.Select(r => r.Tuple.TargetType));
        Assert.Equal(3, TuplesOf(Assert.Single(host.Relations.Requests)).Count);
    }

    [Fact]
    public async Task Without_a_caller_the_callers_check_says_how_to_name_the_target()
    {
        await using var host = await StartAsync();
        var relations = host.Server.Services.GetRequiredService<IDescopeRelations>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => relations.CheckAsync("viewer", "calendar", "team"));

        Assert.Contains("overload that names the targets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_Descope_cannot_answer_throws_a_typed_failure()
    {
        await using var host = await StartAsync();
        var relations = host.Server.Services.GetRequiredService<IDescopeRelations>();
        host.Relations.Faults.FailNext(4);

        var error = await Assert.ThrowsAsync<RelationCheckException>(() => relations.CheckAsync(
            [new RelationTuple { Resource = "team", ResourceType = "calendar", Relation = "viewer", Target = Alice }]));

        Assert.Equal(RelationCheckFailure.Unavailable, error.Failure);
        Assert.Equal(503, error.StatusCode);
    }

    private static string Text(CallToolResult result, bool error = false)
    {
        Assert.Equal(error, result.IsError is true);
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }
}
