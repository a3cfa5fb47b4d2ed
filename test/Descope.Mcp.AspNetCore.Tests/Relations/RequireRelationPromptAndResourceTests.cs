using System.Net;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Relations.RelationTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// <see cref="RequireRelationAttribute"/> on prompts (the resource is an argument) and resource templates (the resource
/// is a URI-template variable): a caller without the relation gets a JSON-RPC error in HTTP 200 carrying the same
/// structured denial a tool's refusal carries, and the prompt or resource never runs.
/// </summary>
public sealed class RequireRelationPromptAndResourceTests
{
    private const string Denial = """{"reason":"insufficient_authorization","remediation":"unavailable"}""";

    [Fact]
    public async Task A_prompt_is_fetched_by_a_caller_with_the_relation()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);

        var prompt = await client.GetPromptAsync("calendar_summary", new Dictionary<string, object?> { ["calendar_id"] = "team" });

        Assert.Equal("Summarize team", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);
    }

    [Fact]
    public async Task A_prompt_refused_for_a_missing_relation_is_a_json_rpc_error_with_the_structured_denial()
    {
        await using var host = await StartAsync();
        var token = host.TokenFor(Alice);

        var (status, message, response) = await host.SendAsync(token, "prompts/get", "calendar_summary",
            new JsonObject { ["name"] = "calendar_summary", ["arguments"] = new JsonObject { ["calendar_id"] = "team" } });
        var client = await host.ConnectWithAsync(token);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(
            () => client.GetPromptAsync("calendar_summary", new Dictionary<string, object?> { ["calendar_id"] = "team" }).AsTask());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var error = message["error"]!;
        Assert.Equal(-32600, (int?)error["code"]);
        Assert.Contains("the relation viewer on calendar 'team'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(Denial, error["data"]!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Equal("""[{"relation":"viewer","resourceType":"calendar","resource":"team"}]""", error["data"]!["com.descope/relations"]!.ToJsonString());
        Assert.Equal(McpErrorCode.InvalidRequest, refused.ErrorCode);
        Assert.Equal(0, host.Calls.Of("calendar_summary"));
    }

    [Theory]
    [InlineData("042")]
    [InlineData("+42")]
    [InlineData(" 42")]
    [InlineData("-0")]
    public async Task A_prompts_integer_argument_is_checked_only_when_written_plainly(string spelling)
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "account", spelling);
        var client = await host.ConnectAsync(Alice);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(
            () => client.GetPromptAsync("account_summary", new Dictionary<string, object?> { ["account_id"] = spelling }).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, refused.ErrorCode);
        Assert.Empty(host.Relations.Requests);
        Assert.Equal(0, host.Calls.Of("account_summary"));
    }

    [Fact]
    public async Task A_prompts_integer_argument_written_plainly_is_checked()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "account", "42");
        var client = await host.ConnectAsync(Alice);

        var prompt = await client.GetPromptAsync("account_summary", new Dictionary<string, object?> { ["account_id"] = "42" });

        Assert.Equal("Summarize account 42", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);
        Assert.Equal("42", (string?)TuplesOf(Assert.Single(host.Relations.Requests))[0]!["resource"]);
    }

    [Fact]
    public async Task A_resource_template_is_read_by_a_caller_with_the_relation_named_by_its_uri_variable()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team room");
        var client = await host.ConnectAsync(Alice);

        var read = await client.ReadResourceAsync("calendar://team%20room/events");

        Assert.Equal("events of team room", Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text);
        Assert.Equal("team room", (string?)TuplesOf(Assert.Single(host.Relations.Requests))[0]!["resource"]);
    }

    [Fact]
    public async Task A_resource_refused_for_a_missing_relation_is_a_json_rpc_error_with_the_structured_denial()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Bob, "viewer", "calendar", "team");

        var (status, message, _) = await host.SendAsync(host.TokenFor(Alice), "resources/read", "calendar://team/events",
            new JsonObject { ["uri"] = "calendar://team/events" });

        Assert.Equal(HttpStatusCode.OK, status);
        var error = message["error"]!;
        Assert.Equal(-32600, (int?)error["code"]);
        Assert.Equal(Denial, error["data"]!["io.modelcontextprotocol/authorization"]!.ToJsonString());
        Assert.Equal("""[{"relation":"viewer","resourceType":"calendar","resource":"team"}]""", error["data"]!["com.descope/relations"]!.ToJsonString());
        Assert.Equal(0, host.Calls.Of("calendar_events"));
    }

    [Fact]
    public async Task A_resource_uri_whose_variable_is_empty_or_holds_a_control_character_is_refused_before_Descope_is_asked()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync(Alice);

        var empty = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("calendar:///events").AsTask());
        var control = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("calendar://team%0A/events").AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, empty.ErrorCode);
        Assert.Equal(McpErrorCode.InvalidParams, control.ErrorCode);
        Assert.Empty(host.Relations.Requests);
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task A_prompt_or_resource_that_cannot_be_checked_is_a_distinct_json_rpc_error()
    {
        await using var host = await StartAsync();
        host.Authority.AddRelation(Alice, "viewer", "calendar", "team");
        var client = await host.ConnectAsync(Alice);
        host.Relations.Faults.FailNext(8, statusCode: 503);

        var prompt = await Assert.ThrowsAsync<McpProtocolException>(
            () => client.GetPromptAsync("calendar_summary", new Dictionary<string, object?> { ["calendar_id"] = "team" }).AsTask());
        var resource = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("calendar://team/events").AsTask());

        Assert.All([prompt, resource], refused =>
        {
            Assert.Equal(McpErrorCode.InternalError, refused.ErrorCode);
            Assert.Contains("Could not check", refused.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, host.Calls.Total);
    }

    [Fact]
    public async Task Tools_prompts_and_resources_requiring_relations_stay_listed()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync(Alice);

        var tools = await client.ListToolsAsync();
        var prompts = await client.ListPromptsAsync();
        var templates = await client.ListResourceTemplatesAsync();

        Assert.Contains(tools, t => t.Name == "read_calendar");
        Assert.Contains(prompts, p => p.Name == "calendar_summary");
        Assert.Contains(templates, t => t.Name == "calendar_events");
        Assert.Empty(host.Relations.Requests);
    }
}
