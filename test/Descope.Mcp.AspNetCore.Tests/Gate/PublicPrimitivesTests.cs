using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// <see cref="AnonymousAccess.PublicPrimitives"/>: a request without credentials may initialize, ping, list and use the
/// tools, prompts and resources marked [AllowAnonymous]; anything else gets the ordinary 401 and never runs, however the
/// request is dressed up. Through the MCP SDK's client on both protocol generations, and raw HTTP for what a client never
/// sends. Every refused request asserts that nothing ran.
/// </summary>
public sealed class PublicPrimitivesTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful = false, Action<DescopeMcpOptions>? configure = null, Action<IServiceCollection>? services = null, Action<WebApplication>? map = null) =>
        StartServerAsync(
            m => m.WithPublicAndProtectedPrimitives(Calls),
            o =>
            {
                o.AnonymousAccess = AnonymousAccess.PublicPrimitives;
                o.RequiredScopes.Add("mcp.access");
                configure?.Invoke(o);
            },
            stateful,
            services,
            map);

    /// <summary>
    /// The 401 a request without credentials gets: both schemes, naming the scopes to sign in with (by default the required
    /// scope, as everywhere on the server).
    /// </summary>
    private static void AssertSignInChallenge(HttpResponseMessage response, ProtectedMcpServer server, string scope = "mcp.access")
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP($"Bearer scope=\"{scope}\", resource_metadata=\"{MetadataUrl(server)}\"", MetadataUrl(server), scope),
            response.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<HttpResponseMessage> SendAsync(ProtectedMcpServer server, HttpRequestMessage request)
    {
        using (request)
        {
            return await server.Http.SendAsync(request);
        }
    }

    /// <summary>A 2026-07-28 request without credentials, its Mcp-Method and Mcp-Name headers matching the body unless told otherwise.</summary>
    private static Task<HttpResponseMessage> SendAnonymousAsync(ProtectedMcpServer server, string method, JsonObject parameters, string? name = null, string? methodHeader = null)
    {
        (string, string)[] headers = name is null ? [("Mcp-Method", methodHeader ?? method)] : [("Mcp-Method", methodHeader ?? method), ("Mcp-Name", name)];
        return SendAsync(server, RawMcp.Post(server.McpUrl, token: null, RawMcp.Body(method, parameters), RawMcp.Latest, headers));
    }

    private static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["name"] = tool, ["arguments"] = arguments ?? [] };

    // ---- What a caller without credentials may do ----

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task A_client_without_credentials_connects_lists_the_public_primitives_and_uses_them(string protocol)
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(token: null, protocolVersion: protocol);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        Assert.Equal(["public_info", "search_docs"], (await client.ListToolsAsync()).Select(t => t.Name).Order());
        Assert.Equal(["welcome"], (await client.ListPromptsAsync()).Select(p => p.Name));
        Assert.Equal(["holidays"], (await client.ListResourcesAsync()).Select(r => r.Name));
        Assert.Equal(["public_day"], (await client.ListResourceTemplatesAsync()).Select(r => r.Name));
        if (protocol == RawMcp.Stateful)
        {
            // 2026-07-28 has no ping.
            await client.PingAsync();
        }

        var result = await client.CallToolAsync("search_docs", new Dictionary<string, object?> { ["query"] = "pricing" });
        var prompt = await client.GetPromptAsync("welcome", new Dictionary<string, object?> { ["language"] = "fr" });
        var holidays = await client.ReadResourceAsync("calendar://holidays");
        var day = await client.ReadResourceAsync("calendar://public/monday");
        var completion = await client.CompleteAsync(new PromptReference { Name = "welcome" }, "language", "f");

        Assert.Equal("results for pricing", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.NotEmpty(prompt.Messages);
        Assert.Equal("New Year's Day", Assert.IsType<TextResourceContents>(Assert.Single(holidays.Contents)).Text);
        Assert.Equal("Nothing public on monday", Assert.IsType<TextResourceContents>(Assert.Single(day.Contents)).Text);
        Assert.Contains(CompletablePrimitives.HandlerValue, completion.Completion.Values);
        Assert.Equal(5, Calls.Total);
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task Public_tools_are_listed_as_callable_without_a_token(string protocol)
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(token: null, protocolVersion: protocol);

        var tool = Assert.Single(await client.ListToolsAsync(), t => t.Name == "search_docs");

        Assert.Equal(
            """[{"type":"noauth"},{"type":"oauth2","scopes":["mcp.access"]}]""",
            tool.ProtocolTool.Meta!["securitySchemes"]!.ToJsonString());
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task An_OAuth_client_uses_a_public_tool_without_signing_in_and_signs_in_for_a_protected_one(string protocol)
    {
        Authority.AddUser("U2Alice", user =>
        {
            user.Scopes.Add("mcp.access");
            user.Scopes.Add("calendar.read");
        });
        Authority.SignedInUser = "U2Alice";
        var server = await StartAsync();
        var authorize = $"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize";
        await using var client = await server.ConnectWithOAuthAsync(Authority, protocolVersion: protocol);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        var open = await client.CallToolAsync("search_docs");
        Assert.Equal(0, Authority.Requests.To(authorize));

        var events = await client.CallToolAsync("list_events");

        Assert.Equal("results for ", Assert.IsType<TextContentBlock>(Assert.Single(open.Content)).Text);
        Assert.Equal("3 events", Assert.IsType<TextContentBlock>(Assert.Single(events.Content)).Text);
        Assert.Equal(1, Authority.Requests.To(authorize));
        Assert.Equal(1, Calls.Of("list_events"));
    }

    [Fact]
    public async Task A_notification_without_credentials_is_accepted()
    {
        var server = await StartAsync();

        using var response = await SendAsync(server, RawMcp.Post(
            server.McpUrl, token: null, """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}""", RawMcp.Latest, ("Mcp-Method", "notifications/cancelled")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    // ---- Everything else: the ordinary 401, nothing runs ----

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task Using_a_protected_primitive_without_credentials_gets_401_and_nothing_runs(string protocol)
    {
        var server = await StartAsync();
        await using var client = await server.ConnectAsync(token: null, protocolVersion: protocol);

        foreach (var use in new Func<Task>[]
        {
            () => client.CallToolAsync("list_events").AsTask(),
            () => client.CallToolAsync("ping").AsTask(),
            () => client.GetPromptAsync("weekly_review").AsTask(),
            () => client.ReadResourceAsync("calendar://agenda").AsTask(),
            () => client.ReadResourceAsync("calendar://events/42").AsTask(),
            () => client.CompleteAsync(new PromptReference { Name = "weekly_review" }, "week", "").AsTask(),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(use)).StatusCode);
        }

        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("tools/call", """{"name":"list_events"}""", "mcp.access calendar.read")]
    [InlineData("tools/call", """{"name":"ping"}""", "mcp.access")]
    [InlineData("tools/call", """{"name":"no_such_tool"}""", "mcp.access")]
    [InlineData("prompts/get", """{"name":"tenant_report"}""", "mcp.access")]
    [InlineData("resources/read", """{"uri":"calendar://events/42"}""", "mcp.access calendar.read calendar.details")]
    [InlineData("completion/complete", """{"ref":{"type":"ref/prompt","name":"weekly_review"},"argument":{"name":"week","value":""}}""", "mcp.access calendar.read")]
    [InlineData("completion/complete", """{"ref":{"type":"ref/resource","uri":"calendar://events/{id}"},"argument":{"name":"id","value":""}}""", "mcp.access calendar.read calendar.details")]
    public async Task Using_a_primitive_that_is_not_public_gets_401_naming_the_scopes_to_sign_in_with(string method, string parameters, string scope)
    {
        var server = await StartAsync();

        using var response = await SendAnonymousAsync(server, method, JsonNode.Parse(parameters)!.AsObject());

        AssertSignInChallenge(response, server, scope);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData("logging/setLevel", """{"level":"debug"}""")]
    [InlineData("subscriptions/listen", """{}""")]
    [InlineData("sampling/createMessage", """{}""")]
    [InlineData("Tools/List", """{}""")]
    [InlineData("notifications", """{}""")]
    public async Task Any_other_method_gets_the_ordinary_401(string method, string parameters)
    {
        var server = await StartAsync();

        using var response = await SendAnonymousAsync(server, method, JsonNode.Parse(parameters)!.AsObject());

        AssertSignInChallenge(response, server);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_JSON_RPC_response_without_credentials_gets_401()
    {
        var server = await StartAsync();

        using var response = await SendAsync(server, RawMcp.Post(server.McpUrl, token: null, """{"jsonrpc":"2.0","id":1,"result":{}}""", RawMcp.Latest));

        AssertSignInChallenge(response, server);
    }

    [Fact]
    public async Task Headers_naming_a_public_tool_cannot_carry_a_call_of_a_protected_one()
    {
        var server = await StartAsync();
        var protectedCall = RawMcp.Body("tools/call", Call("list_events"));

        using var byName = await SendAsync(server, RawMcp.Post(server.McpUrl, null, protectedCall, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "search_docs")));
        using var byMethod = await SendAsync(server, RawMcp.Post(server.McpUrl, null, protectedCall, RawMcp.Latest, ("Mcp-Method", "tools/list")));
        using var withoutHeaders = await SendAsync(server, RawMcp.Post(server.McpUrl, null, protectedCall, RawMcp.Latest));

        AssertSignInChallenge(byName, server, "mcp.access calendar.read");
        AssertSignInChallenge(byMethod, server, "mcp.access calendar.read");
        AssertSignInChallenge(withoutHeaders, server, "mcp.access calendar.read");
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_public_tool_called_with_a_protected_tools_arguments_is_the_only_thing_that_runs()
    {
        var server = await StartAsync();

        using var response = await SendAnonymousAsync(server, "tools/call", Call("search_docs", new JsonObject { ["title"] = "board meeting" }), "search_docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Calls.Of("search_docs"));
        Assert.Equal(1, Calls.Total);
    }

    [Theory]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs"}},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_events"}}]""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs","name":"list_events"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"list_events"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_events"}}""")]
    public async Task An_ambiguous_body_without_credentials_is_refused_and_nothing_runs(string body)
    {
        var server = await StartAsync();

        using var response = await SendAsync(server, RawMcp.Post(server.McpUrl, null, body, RawMcp.Latest, ("Mcp-Method", "tools/call"), ("Mcp-Name", "search_docs")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Subscribing_to_a_protected_resource_without_credentials_gets_401()
    {
        var server = await StartAsync();

        using var protectedOne = await SendAsync(server, RawMcp.Post(
            server.McpUrl, null, RawMcp.Body("resources/subscribe", new JsonObject { ["uri"] = "calendar://events/42" }, RawMcp.Stateful), RawMcp.Stateful));
        using var publicOne = await SendAsync(server, RawMcp.Post(
            server.McpUrl, null, RawMcp.Body("resources/subscribe", new JsonObject { ["uri"] = "calendar://holidays" }, RawMcp.Stateful), RawMcp.Stateful));

        AssertSignInChallenge(protectedOne, server, "mcp.access calendar.read calendar.details");
        Assert.Equal(HttpStatusCode.OK, publicOne.StatusCode);
        Assert.Equal(1, Calls.Of("subscribe"));
    }

    [Fact]
    public async Task Fuzzed_requests_without_credentials_never_get_a_5xx_nor_run_anything_that_is_not_public()
    {
        var server = await StartAsync();
        var fuzzer = new McpRequestFuzzer(new Random(20260728));
        var cases = Enumerable.Range(0, 2000)
            .Select(i => fuzzer.Next(server.McpUrl, token: null, i % 2 == 0 ? RawMcp.Latest : RawMcp.Stateful, sessionId: null))
            .ToArray();

        var failures = new List<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (fuzzed, cancellationToken) =>
        {
            using var request = fuzzed.ToRequest();
            using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                lock (failures)
                {
                    failures.Add($"{(int)response.StatusCode} for {fuzzed}");
                }
            }
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(6)));
        Assert.Equal(Calls.Of("search_docs") + Calls.Of("public_info"), Calls.Total);
    }

    // ---- Credentials are never ignored ----

    [Theory]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("DPoP not-a-token")]
    [InlineData("Negotiate abc")]
    public async Task A_request_with_credentials_that_do_not_validate_gets_401_even_for_a_public_tool(string authorization)
    {
        var server = await StartAsync();
        var request = RawMcp.ToolCall(server.McpUrl, token: null, "search_docs");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await SendAsync(server, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task An_expired_token_gets_invalid_token_never_anonymous_access()
    {
        var server = await StartAsync();
        var expired = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });

        using var initialize = await SendAsync(server, RawMcp.Post(server.McpUrl, expired, RawMcp.Body("server/discover", []), RawMcp.Latest, ("Mcp-Method", "server/discover")));
        using var call = await SendAsync(server, RawMcp.ToolCall(server.McpUrl, expired, "search_docs"));

        foreach (var response in new[] { initialize, call })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The access token expired\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_DPoP_proof_without_a_token_is_not_anonymous()
    {
        var server = await StartAsync();
        using var key = Descope.Mcp.AspNetCore.Testing.TestDPoPKey.Create();
        var request = RawMcp.ToolCall(server.McpUrl, token: null, "search_docs");
        request.Headers.TryAddWithoutValidation("DPoP", key.CreateProof("POST", server.McpUrl, accessToken: null));

        using var response = await SendAsync(server, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_signed_in_caller_still_needs_the_required_scopes_for_a_public_tool()
    {
        var server = await StartAsync();

        using var response = await SendAsync(server, RawMcp.ToolCall(server.McpUrl, TokenFor(server), "search_docs"));

        AssertStepUpChallenge(response, server, "mcp.access");
        Assert.Equal(0, Calls.Total);
    }

    // ---- Sessions, other endpoints and transports ----

    [Fact]
    public async Task On_a_server_that_keeps_sessions_initialize_without_credentials_gets_401()
    {
        var server = await StartAsync(stateful: true);
        var initialize = RawMcp.Body("initialize", new JsonObject
        {
            ["protocolVersion"] = RawMcp.Stateful,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1.0" },
        }, RawMcp.Stateful);

        using var response = await SendAsync(server, RawMcp.Post(server.McpUrl, null, initialize, protocol: null));

        AssertSignInChallenge(response, server);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task Without_credentials_a_signed_in_users_session_can_be_neither_read_nor_ended()
    {
        var server = await StartAsync(stateful: true);
        var token = TokenFor(server, "mcp.access", "calendar.read");
        var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);

        var get = new HttpRequestMessage(HttpMethod.Get, server.McpUrl);
        get.Headers.Accept.ParseAdd("text/event-stream");
        get.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        var delete = new HttpRequestMessage(HttpMethod.Delete, server.McpUrl);
        delete.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        using var stream = await SendAsync(server, get);
        using var end = await SendAsync(server, delete);
        using var list = await SendAsync(server, RawMcp.Post(server.McpUrl, null, RawMcp.Body("tools/list", [], RawMcp.Stateful), RawMcp.Stateful, ("Mcp-Session-Id", session)));

        Assert.Equal(HttpStatusCode.Forbidden, stream.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, end.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        using var stillThere = await SendAsync(server, RawMcp.Post(
            server.McpUrl, token, RawMcp.ToolCallBody("list_events", RawMcp.Stateful), RawMcp.Stateful, ("Mcp-Session-Id", session)));
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(1, Calls.Of("list_events"));
    }

    [Fact]
    public async Task The_legacy_SSE_endpoints_always_need_a_token()
    {
#pragma warning disable MCP9004 // The legacy SSE transport is what this test is about.
        var server = await StartAsync(stateful: true, services: s =>
            s.Configure<ModelContextProtocol.AspNetCore.HttpServerTransportOptions>(t => t.EnableLegacySse = true));
#pragma warning restore MCP9004
        var sse = new HttpRequestMessage(HttpMethod.Get, server.McpUrl + "/sse");
        sse.Headers.Accept.ParseAdd("text/event-stream");

        using var stream = await SendAsync(server, sse);
        using var message = await SendAsync(server, RawMcp.Post(
            server.McpUrl + "/message?sessionId=none", null, RawMcp.ToolCallBody("search_docs", RawMcp.Stateful), protocol: null));

        AssertSignInChallenge(stream, server);
        AssertSignInChallenge(message, server);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Another_authorization_policy_on_the_endpoint_keeps_its_401()
    {
        var server = await StartAsync(
            services: s => s.AddAuthorizationBuilder().AddPolicy("members", policy => policy.RequireClaim("member")),
            map: app => app.MapMcp("/mcp").RequireAuthorization("members"));

        using var response = await SendAnonymousAsync(server, "tools/call", Call("search_docs"), "search_docs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Calls.Total);
    }

    // ---- Tool-error mode ----

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    public async Task In_ToolError_mode_a_protected_tool_answers_with_the_401_challenges_in_meta_www_authenticate(string protocol)
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);
        await using var client = await server.ConnectAsync(token: null, protocolVersion: protocol);

        var result = await client.CallToolAsync("list_events");

        Assert.True(result.IsError);
        Assert.Equal("Unauthorized: this tool requires signing in.", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(
            [$"Bearer scope=\"mcp.access calendar.read\", resource_metadata=\"{MetadataUrl(server)}\"", Challenges.DPoP(MetadataUrl(server), "mcp.access calendar.read")],
            result.Meta!["mcp/www_authenticate"]!.AsArray().Select(value => (string?)value));
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task In_ToolError_mode_a_protected_prompt_answers_with_a_JSON_RPC_error_naming_the_401_challenges()
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await SendAnonymousAsync(server, "prompts/get", new JsonObject { ["name"] = "weekly_review" }, "weekly_review");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = (await RawMcp.ReadMessageAsync(response))["error"]!;
        Assert.Equal("Unauthorized: this prompt requires signing in.", (string?)error["message"]);
        Assert.Equal(2, error["data"]!["mcp/www_authenticate"]!.AsArray().Count);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task In_ToolError_mode_what_is_no_primitive_still_gets_the_401()
    {
        var server = await StartAsync(configure: o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await SendAnonymousAsync(server, "logging/setLevel", new JsonObject { ["level"] = "debug" });

        AssertSignInChallenge(response, server);
    }
}
