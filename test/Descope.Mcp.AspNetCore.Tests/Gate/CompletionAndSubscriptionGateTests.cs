using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// completion/complete (for a prompt or a resource template) and resources/subscribe and resources/unsubscribe are judged
/// like prompts/get and resources/read, before the app's handler (or the SDK's [AllowedValues] completions) runs, on both
/// protocol generations: 2026-07-28 (stateless, headers; the SDK sends no Mcp-Name for a completion) and 2025-11-25 (a
/// session, the method only in the body). Raw HTTP, so status, challenge and body are asserted exactly.
/// </summary>
public sealed class CompletionAndSubscriptionGateTests : McpServerTests
{
    private const string Complete = "completion/complete";

    private Task<ProtectedMcpServer> StartAsync(bool stateful, Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(m => m.WithCompletablePrimitives(Calls), configure, stateful);

    /// <summary>Sends one request in the protocol generation the server speaks; <paramref name="name"/> becomes Mcp-Name.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        ProtectedMcpServer server, bool stateful, string method, JsonObject parameters, string? name, params string[] scopes)
    {
        var token = TokenFor(server, scopes);
        if (stateful)
        {
            var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);
            using var inSession = RawMcp.Post(server.McpUrl, token, RawMcp.Body(method, parameters, RawMcp.Stateful), RawMcp.Stateful, ("Mcp-Session-Id", session));
            return await server.Http.SendAsync(inSession);
        }

        (string, string)[] headers = name is null ? [("Mcp-Method", method)] : [("Mcp-Method", method), ("Mcp-Name", name)];
        using var request = RawMcp.Post(server.McpUrl, token, RawMcp.Body(method, parameters), RawMcp.Latest, headers);
        return await server.Http.SendAsync(request);
    }

    private static JsonObject Completion(JsonObject reference, string argument, string value = "") =>
        new() { ["ref"] = reference, ["argument"] = new JsonObject { ["name"] = argument, ["value"] = value } };

    private static JsonObject PromptRef(string name) => new() { ["type"] = "ref/prompt", ["name"] = name };

    private static JsonObject ResourceRef(string uri) => new() { ["type"] = "ref/resource", ["uri"] = uri };

    private Task<HttpResponseMessage> CompleteAsync(ProtectedMcpServer server, bool stateful, JsonObject reference, string argument, params string[] scopes) =>
        SendAsync(server, stateful, Complete, Completion(reference, argument), name: null, scopes);

    private static async Task<JsonNode> ReadValuesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await RawMcp.ReadMessageAsync(response))["result"]!["completion"]!["values"]!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_for_a_scoped_prompt_without_the_scope_gets_403_with_insufficient_scope_before_any_handler_runs(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CompleteAsync(server, stateful, PromptRef("team_review"), "team", "profile");

        AssertStepUpChallenge(response, server, "calendar.read");
        var text = await response.Content.ReadAsStringAsync();
        var data = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!;
        Assert.Equal("""["calendar.read"]""", data["missing_scopes"]!.ToJsonString());
        Assert.DoesNotContain(CompletablePrompts.SecretTeam, text, StringComparison.Ordinal);
        Assert.DoesNotContain("engineering", text, StringComparison.Ordinal);
        Assert.DoesNotContain(CompletablePrimitives.HandlerValue, text, StringComparison.Ordinal);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_for_a_scoped_prompt_with_the_scope_offers_its_allowed_values_and_the_apps(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CompleteAsync(server, stateful, PromptRef("team_review"), "team", "calendar.read");

        Assert.Equal(
            $"""["{CompletablePrimitives.HandlerValue}","engineering","{CompletablePrompts.SecretTeam}"]""",
            (await ReadValuesAsync(response)).ToJsonString());
        Assert.Equal(1, Calls.Of("complete"));
    }

    [Theory]
    [InlineData(false, "calendar://teams/{team}")]
    [InlineData(true, "calendar://teams/{team}")]
    [InlineData(false, "calendar://teams/engineering")]
    [InlineData(true, "calendar://teams/engineering")]
    public async Task A_completion_for_a_scoped_resource_template_names_every_scope_the_template_requires(bool stateful, string uri)
    {
        var server = await StartAsync(stateful);

        using var response = await CompleteAsync(server, stateful, ResourceRef(uri), "team", "calendar.read");

        AssertStepUpChallenge(response, server, "calendar.read calendar.details");
        Assert.DoesNotContain(CompletablePrompts.SecretTeam, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_for_a_resource_template_runs_when_the_scopes_are_granted(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CompleteAsync(server, stateful, ResourceRef("calendar://teams/{team}"), "team", "calendar.read", "calendar.details");

        Assert.Contains("engineering", (await ReadValuesAsync(response)).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1, Calls.Of("complete"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_for_a_prompt_needing_a_role_gets_a_plain_403_without_a_challenge(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await CompleteAsync(server, stateful, PromptRef("tenant_digest"), "period", "calendar.read");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(
            "Forbidden: the caller lacks a role or permission this prompt requires.",
            (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task In_ToolError_mode_a_completion_gets_a_JSON_RPC_error_carrying_the_insufficient_scope_details(bool stateful)
    {
        var server = await StartAsync(stateful, o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await CompleteAsync(server, stateful, ResourceRef("calendar://teams/{team}"), "team");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var error = (await RawMcp.ReadMessageAsync(response))["error"]!;
        Assert.Equal(-32600, (int?)error["code"]);
        Assert.Equal("Forbidden: the access token lacks scopes this resource requires.", (string?)error["message"]);
        Assert.Equal("""["calendar.read","calendar.details"]""", error["data"]!["required_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_stateless_completion_is_judged_by_its_body_whatever_Mcp_Name_claims()
    {
        var server = await StartAsync(stateful: false);

        using var response = await SendAsync(server, stateful: false, Complete, Completion(PromptRef("team_review"), "team"), name: "tenant_digest", "profile");

        AssertStepUpChallenge(response, server, "calendar.read");
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false, "ref/prompt", "no_such_prompt")]
    [InlineData(true, "ref/prompt", "no_such_prompt")]
    [InlineData(false, "ref/resource", "calendar://nothing/here")]
    [InlineData(true, "ref/resource", "calendar://nothing/here")]
    public async Task A_completion_for_an_unknown_prompt_or_a_uri_matching_no_resource_is_left_to_the_MCP_server(bool stateful, string type, string target)
    {
        var server = await StartAsync(stateful);
        var reference = type == "ref/prompt" ? PromptRef(target) : ResourceRef(target);

        using var response = await CompleteAsync(server, stateful, reference, "team", "profile");

        Assert.Equal($"""["{CompletablePrimitives.HandlerValue}"]""", (await ReadValuesAsync(response)).ToJsonString());
        Assert.Equal(1, Calls.Of("complete"));
    }

    [Theory]
    [InlineData(false, """{"argument":{"name":"team","value":""}}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData(true, """{"ref":"team_review","argument":{"name":"team","value":""}}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData(false, """{"ref":{"name":"team_review"}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData(true, """{"ref":{"type":"ref/tool","name":"team_review"}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData(false, """{"ref":{"type":7,"name":"team_review"}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData(true, """{"ref":{"type":"ref/prompt"}}""", "The completion/complete reference does not name a prompt.")]
    [InlineData(false, """{"ref":{"type":"ref/prompt","name":7}}""", "The completion/complete reference does not name a prompt.")]
    [InlineData(true, """{"ref":{"type":"ref/resource","name":"team_calendar"}}""", "The completion/complete reference does not name a resource.")]
    [InlineData(false, """{"ref":{"type":"ref/prompt","name":"tenant_digest","Name":"team_review"}}""", "The request repeats a parameter.")]
    [InlineData(true, """{"ref":{"type":"ref/resource","type":"ref/prompt","name":"team_review","uri":"calendar://agenda"}}""", "The request repeats a parameter.")]
    [InlineData(false, """{"ref":{"type":"ref/prompt","name":"tenant_digest"},"REF":{"type":"ref/prompt","name":"team_review"}}""", "The request repeats a parameter.")]
    public async Task A_malformed_completion_reference_gets_400_with_the_reason_not_500(bool stateful, string parameters, string reason)
    {
        var server = await StartAsync(stateful);

        using var response = await SendAsync(server, stateful, Complete, JsonNode.Parse(parameters)!.AsObject(), name: null, "calendar.read");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad Request: " + reason, (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(true, "resources/subscribe", "calendar://agenda", "calendar.read")]
    [InlineData(true, "resources/unsubscribe", "calendar://agenda", "calendar.read")]
    [InlineData(true, "resources/subscribe", "calendar://teams/engineering", "calendar.read calendar.details")]
    [InlineData(true, "resources/unsubscribe", "calendar://teams/engineering", "calendar.read calendar.details")]
    [InlineData(false, "Resources/Subscribe", "calendar://agenda", "calendar.read")]
    public async Task A_subscription_change_for_a_scoped_resource_without_the_scope_gets_403_before_the_handler_runs(
        bool stateful, string method, string uri, string challengeScopes)
    {
        var server = await StartAsync(stateful);

        using var response = await SendAsync(server, stateful, method, new JsonObject { ["uri"] = uri }, name: null, "profile");

        AssertStepUpChallenge(response, server, challengeScopes);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("resources/subscribe", "subscribe")]
    [InlineData("resources/unsubscribe", "unsubscribe")]
    public async Task A_subscription_change_in_a_session_runs_the_handler_when_the_scopes_are_granted(string method, string handler)
    {
        var server = await StartAsync(stateful: true);

        using var response = await SendAsync(
            server, stateful: true, method, new JsonObject { ["uri"] = "calendar://teams/engineering" }, name: null, "calendar.read", "calendar.details");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await RawMcp.ReadMessageAsync(response))["result"]);
        Assert.Equal(1, Calls.Of(handler));
    }

    [Theory]
    [InlineData("resources/subscribe", """{"uri":"calendar://agenda"}""", "calendar.read")]
    [InlineData("resources/subscribe", """{"uri":"calendar://agenda"}""")]
    [InlineData("resources/unsubscribe", """{"uri":"calendar://teams/engineering"}""")]
    [InlineData("resources/subscribe", "{}")]
    [InlineData("resources/unsubscribe", """{"uri":7}""")]
    [InlineData("resources/subscribe", """{"name":"agenda"}""", "calendar.read")]
    public async Task A_stateless_subscription_change_gets_the_MCP_servers_answer_that_2026_07_28_has_no_such_method(
        string method, string parameters, params string[] scopes)
    {
        var server = await StartAsync(stateful: false);
        var body = RawMcp.Body(method, JsonNode.Parse(parameters)!.AsObject(), id: 31);
        using var request = RawMcp.Post(server.McpUrl, TokenFor(server, scopes), body, RawMcp.Latest, ("Mcp-Method", method));

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(31, (int?)message["id"]);
        Assert.Equal(-32601, (int?)message["error"]!["code"]);
        Assert.Equal($"Method '{method}' is not available on protocol version '2026-07-28'.", (string?)message["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(true, "tools/call", "{}", "The tools/call request does not name a tool.")]
    [InlineData(false, "tools/call", """{"name":7}""", "The tools/call request does not name a tool.")]
    [InlineData(true, "prompts/get", """{"arguments":{"team":"engineering"}}""", "The prompts/get request does not name a prompt.")]
    [InlineData(false, "prompts/get", "{}", "The prompts/get request does not name a prompt.")]
    [InlineData(true, "resources/read", """{"name":"agenda"}""", "The resources/read request does not name a resource.")]
    [InlineData(false, "resources/read", """{"uri":null}""", "The resources/read request does not name a resource.")]
    [InlineData(true, "resources/subscribe", "{}", "The resources/subscribe request does not name a resource.")]
    [InlineData(true, "resources/unsubscribe", """{"uri":["calendar://agenda"]}""", "The resources/unsubscribe request does not name a resource.")]
    [InlineData(true, Complete, """{"argument":{"name":"team","value":""}}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData(false, Complete, """{"ref":{"type":"ref/tool","name":"team_review"}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    public async Task A_gated_request_that_does_not_name_its_primitive_gets_invalid_params_with_its_own_id(
        bool stateful, string method, string parameters, string reason)
    {
        var server = await StartAsync(stateful);
        var token = TokenFor(server, "calendar.read", "calendar.details");
        var protocol = stateful ? RawMcp.Stateful : RawMcp.Latest;
        var body = RawMcp.Body(method, JsonNode.Parse(parameters)!.AsObject(), protocol, id: 42);
        using var request = stateful
            ? RawMcp.Post(server.McpUrl, token, body, protocol, ("Mcp-Session-Id", await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token)))
            : RawMcp.Post(server.McpUrl, token, body, protocol, ("Mcp-Method", method));

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(42, (int?)message["id"]);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
        Assert.Equal("Bad Request: " + reason, (string?)message["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_string_id_is_kept_as_sent_in_the_invalid_params_answer()
    {
        var server = await StartAsync(stateful: false);
        const string body = """{"jsonrpc":"2.0","id":"req-\u00e9-9","method":"prompts/get","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}""";
        using var request = RawMcp.Post(server.McpUrl, TokenFor(server, "calendar.read"), body, RawMcp.Latest, ("Mcp-Method", "prompts/get"));

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal("req-\u00e9-9", (string?)message["id"]);
        Assert.Equal(-32602, (int?)message["error"]!["code"]);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{}}""", "Bad Request: The resources/subscribe request does not name a resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/unsubscribe","params":{"uri":7}}""", "Bad Request: The resources/unsubscribe request does not name a resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"calendar://news","URI":"calendar://agenda"}}""", "Bad Request: The request repeats a parameter.")]
    public async Task A_malformed_subscription_change_in_a_session_gets_400_with_the_reason(string body, string message)
    {
        var server = await StartAsync(stateful: true);
        var token = TokenFor(server, "calendar.read");
        var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);

        using var response = await server.Http.SendAsync(RawMcp.Post(server.McpUrl, token, body, RawMcp.Stateful, ("Mcp-Session-Id", session)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Total);
    }
}
