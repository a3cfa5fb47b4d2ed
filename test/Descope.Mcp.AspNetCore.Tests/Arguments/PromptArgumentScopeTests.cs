using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Arguments;

/// <summary>
/// <see cref="RequireArgumentScopesAttribute"/> on prompts (<see cref="GuardedPrompts"/>, all needing calendar.read):
/// listed for callers with the static scope, fetched when the arguments need nothing more, one step-up challenge when
/// they do, and the arguments held to the prompt's argument list (strings, named exactly, once, declared, required
/// present, omitted ones as the prompt's defaults) before a rule sees them. Both protocol generations: stateless servers
/// speak 2026-07-28 with the MCP SDK's client, stateful ones 2025-11-25.
/// </summary>
public sealed class PromptArgumentScopeTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful = false, Action<DescopeMcpOptions>? configure = null, Action<WebApplication>? map = null) =>
        StartServerAsync(m => m.WithPrompts<GuardedPrompts>(), configure, stateful, map: map);

    /// <summary>Starts a server where only the MCP SDK's authorization filter stands between the client and the prompts.</summary>
    private Task<ProtectedMcpServer> StartWithoutGateAsync(bool stateful) => StartAsync(
        stateful,
        configure: o => o.ProtectMcpEndpoints = false,
        map: app => app.MapMcp("/mcp").RequireAuthorization(DescopeMcpDefaults.AuthorizationPolicy));

    private async Task<McpClient> ConnectAsync(ProtectedMcpServer server, bool stateful, params string[] scopes)
    {
        var client = await server.ConnectAsync(TokenFor(server, scopes));
        Assert.Equal(stateful ? RawMcp.Stateful : RawMcp.Latest, client.NegotiatedProtocolVersion);
        return client;
    }

    private static Dictionary<string, object?> Arguments(string name, object? value) => new() { [name] = value };

    private static string Text(GetPromptResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Messages).Content).Text;

    /// <summary>A prompts/get whose arguments are written exactly as given, duplicates and letter case included.</summary>
    private async Task<HttpResponseMessage> GetAsync(ProtectedMcpServer server, bool stateful, string prompt, string arguments, params string[] scopes)
    {
        var token = TokenFor(server, ["calendar.read", .. scopes]);
        var protocol = stateful ? RawMcp.Stateful : RawMcp.Latest;
        var body = RawMcp.Body("prompts/get", new JsonObject { ["name"] = prompt, ["arguments"] = "ARGUMENTS" }, protocol, id: 9)
            .Replace("\"ARGUMENTS\"", arguments, StringComparison.Ordinal);
        using var request = stateful
            ? RawMcp.Post(server.McpUrl, token, body, protocol, ("Mcp-Session-Id", await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token)))
            : RawMcp.Post(server.McpUrl, token, body, protocol, ("Mcp-Method", "prompts/get"), ("Mcp-Name", prompt));
        return await server.Http.SendAsync(request);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prompts_with_argument_rules_are_listed_for_callers_with_their_static_scope(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var reader = await ConnectAsync(server, stateful, "calendar.read");
        await using var none = await ConnectAsync(server, stateful, "profile");

        Assert.Equal(["access_review", "calendar_digest", "team_digest"], (await reader.ListPromptsAsync()).Select(p => p.Name).Order());
        Assert.Empty(await none.ListPromptsAsync());
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_whose_arguments_need_nothing_more_is_fetched_with_its_static_scope(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var client = await ConnectAsync(server, stateful, "calendar.read");

        var digest = await client.GetPromptAsync("calendar_digest", Arguments("calendar_id", "personal"));
        var review = await client.GetPromptAsync("access_review", Arguments("level", "Read"));

        Assert.Equal("Digest of personal for the week", Text(digest));
        Assert.Equal("Review access at Read", Text(review));
        Assert.Equal(1, Calls.Of("calendar_digest:personal"));
        Assert.Equal(1, Calls.Of("access_review:Read"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_whose_arguments_need_more_gets_403_without_those_scopes_and_is_fetched_with_them(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var reader = await ConnectAsync(server, stateful, "calendar.read");
        await using var auditor = await ConnectAsync(server, stateful, "calendar.read", "calendar.admin", "calendar.audit");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => reader.GetPromptAsync("calendar_digest", Arguments("calendar_id", "company")).AsTask());
        var fetched = await auditor.GetPromptAsync("calendar_digest", Arguments("calendar_id", "company"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Digest of company for the week", Text(fetched));
        Assert.Equal(1, Calls.Of("calendar_digest"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_403_is_one_step_up_challenge_naming_the_prompts_scope_and_the_argument_scopes(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetAsync(server, stateful, "calendar_digest", """{"calendar_id":"company"}""");

        AssertStepUpChallenge(response, server, "calendar.read calendar.admin calendar.audit");
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(9, (int?)message["id"]);
        Assert.Equal("""["calendar.admin","calendar.audit"]""", message["error"]!["data"]!["missing_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Of("calendar_digest"));
    }

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task The_MCP_client_steps_up_for_a_prompt_whose_arguments_need_more(bool stateful, string protocol)
    {
        Authority.AddUser("U2Dana", user =>
        {
            foreach (var scope in (string[])["mcp.access", "calendar.read", "calendar.admin"])
            {
                user.Scopes.Add(scope);
            }
        });
        Authority.SignedInUser = "U2Dana";
        var server = await StartAsync(stateful, o => o.RequiredScopes.Add("mcp.access"));
        await using var client = await server.ConnectWithOAuthAsync(Authority);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        Assert.Equal("Digest of personal for the week", Text(await client.GetPromptAsync("calendar_digest", Arguments("calendar_id", "personal"))));
        Assert.Equal("Digest of team for the week", Text(await client.GetPromptAsync("calendar_digest", Arguments("calendar_id", "team"))));

        // The first authorization for the required scope, a step-up for the prompt's calendar.read, one for calendar.admin.
        Assert.Equal(3, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize"));
        Assert.Equal(1, Calls.Of("calendar_digest:team"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_omitted_argument_reaches_the_rule_as_the_prompts_default_so_a_shared_default_needs_the_scope(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var without = await GetAsync(server, stateful, "team_digest", "{}");
        using var with = await GetAsync(server, stateful, "team_digest", "{}", "calendar.admin");

        AssertStepUpChallenge(without, server, "calendar.read calendar.admin");
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal("Digest of team", (string?)(await RawMcp.ReadMessageAsync(with))["result"]!["messages"]![0]!["content"]!["text"]);
        Assert.Equal(1, Calls.Of("team_digest:team"));
        Assert.Equal(1, Calls.Of("team_digest"));
    }

    public static TheoryData<string, string, string, bool> NonConformingArguments()
    {
        var data = new TheoryData<string, string, string, bool>();
        (string Prompt, string Arguments, string Path)[] calls =
        [
            ("team_digest", """{"Calendar_Id":"personal"}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":"personal","calendar_id":"team"}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":"personal","CALENDAR_ID":"team"}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":["team"]}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":7}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":null}""", "arguments.calendar_id"),
            ("team_digest", """{"calendar_id":"personal","owner":"team"}""", "arguments"),
            ("team_digest", """["team"]""", "arguments"),
            ("calendar_digest", """{"period":"month"}""", "arguments.calendar_id"),
            ("access_review", """{"level":2}""", "arguments.level"),
        ];
        foreach (var stateful in new[] { false, true })
        {
            foreach (var (prompt, arguments, path) in calls)
            {
                data.Add(prompt, arguments, path, stateful);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonConformingArguments))]
    public async Task Arguments_that_do_not_conform_to_the_prompts_argument_list_are_refused_as_invalid_params_before_any_rule_runs(
        string prompt, string arguments, string path, bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetAsync(server, stateful, prompt, arguments, "calendar.admin", "calendar.audit", "access.admin");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(9, (int?)message["id"]);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
        var text = (string?)message["error"]!["message"];
        Assert.StartsWith("Invalid params: " + path + " ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("team\"", text, StringComparison.Ordinal);
        Assert.Equal(0, Calls.Of("rule:" + prompt));
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_MCP_client_sees_invalid_params_for_a_member_in_another_case_or_a_value_that_is_not_a_string(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var client = await ConnectAsync(server, stateful, "calendar.read");

        var otherCase = await Assert.ThrowsAnyAsync<McpException>(() => client.GetPromptAsync("team_digest", Arguments("Calendar_Id", "personal")).AsTask());
        var number = await Assert.ThrowsAnyAsync<McpException>(() => client.GetPromptAsync("access_review", Arguments("level", 2)).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, Assert.IsType<McpProtocolException>(otherCase).ErrorCode);
        Assert.Equal(McpErrorCode.InvalidParams, Assert.IsType<McpProtocolException>(number).ErrorCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false, "Admin")]
    [InlineData(true, "admin")]
    [InlineData(false, "ADMIN")]
    [InlineData(true, "2")]
    public async Task Every_spelling_the_prompt_reads_as_the_admin_level_needs_the_rules_scope(bool stateful, string level)
    {
        var server = await StartAsync(stateful);
        await using var reader = await ConnectAsync(server, stateful, "calendar.read");
        await using var admin = await ConnectAsync(server, stateful, "calendar.read", "access.admin");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => reader.GetPromptAsync("access_review", Arguments("level", level)).AsTask());
        var fetched = await admin.GetPromptAsync("access_review", Arguments("level", level));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Review access at Admin", Text(fetched));
        Assert.Equal(1, Calls.Of("access_review:Admin"));
        Assert.Equal(1, Calls.Of("access_review"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rule_that_fails_gets_a_plain_403_never_a_500(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetAsync(server, stateful, "team_digest", """{"calendar_id":"unreadable"}""", "calendar.admin", "calendar.audit");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(0, Calls.Of("team_digest"));
    }

    [Fact]
    public async Task In_ToolError_mode_a_prompt_whose_arguments_need_more_gets_a_JSON_RPC_error_with_the_argument_scopes()
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var refused = await GetAsync(server, stateful: false, "calendar_digest", """{"calendar_id":"team"}""");
        using var fetched = await GetAsync(server, stateful: false, "calendar_digest", """{"calendar_id":"team"}""", "calendar.admin");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Empty(refused.Headers.WwwAuthenticate);
        var error = (await RawMcp.ReadMessageAsync(refused))["error"]!;
        Assert.Equal("Forbidden: the access token lacks scopes this prompt requires.", (string?)error["message"]);
        Assert.Equal("""["calendar.admin"]""", error["data"]!["missing_scopes"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(1, Calls.Of("calendar_digest"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_of_a_prompt_with_argument_rules_is_judged_by_its_static_scope(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var reader = await ConnectAsync(server, stateful, "calendar.read");
        await using var none = await ConnectAsync(server, stateful, "profile");

        var completion = await reader.CompleteAsync(new PromptReference { Name = "calendar_digest" }, "calendar_id", "");
        var refused = await Assert.ThrowsAsync<HttpRequestException>(
            () => none.CompleteAsync(new PromptReference { Name = "calendar_digest" }, "calendar_id", "").AsTask());

        Assert.Equal(["personal", "team", "company"], completion.Completion.Values);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_MCP_servers_authorization_filter_lists_fetches_and_refuses_prompts_the_same_where_the_gate_is_not_in_front(bool stateful)
    {
        var server = await StartWithoutGateAsync(stateful);
        await using var reader = await ConnectAsync(server, stateful, "calendar.read");

        var listed = await reader.ListPromptsAsync();
        var fetched = await reader.GetPromptAsync("calendar_digest", Arguments("calendar_id", "personal"));
        var shared = await Assert.ThrowsAnyAsync<McpException>(() => reader.GetPromptAsync("calendar_digest", Arguments("calendar_id", "team")).AsTask());
        var defaulted = await Assert.ThrowsAnyAsync<McpException>(() => reader.GetPromptAsync("team_digest").AsTask());
        var otherCase = await Assert.ThrowsAnyAsync<McpException>(() => reader.GetPromptAsync("team_digest", Arguments("Calendar_Id", "personal")).AsTask());

        Assert.Equal(["access_review", "calendar_digest", "team_digest"], listed.Select(p => p.Name).Order());
        Assert.Equal("Digest of personal for the week", Text(fetched));
        Assert.Equal(McpErrorCode.InvalidRequest, Assert.IsType<McpProtocolException>(shared).ErrorCode);
        Assert.Equal(McpErrorCode.InvalidRequest, Assert.IsType<McpProtocolException>(defaulted).ErrorCode);
        Assert.Equal(McpErrorCode.InvalidParams, Assert.IsType<McpProtocolException>(otherCase).ErrorCode);
        Assert.Equal(1, Calls.Of("calendar_digest"));
        Assert.Equal(0, Calls.Of("team_digest"));
    }
}
