using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// prompts/get and resources/read (static and templated) answered like tools/call, before the handler runs, on both
/// protocol generations: 2026-07-28 (stateless, Mcp-Method and Mcp-Name headers) and 2025-11-25 (a session, the method
/// only in the body). Raw HTTP, so status, challenge and body are asserted exactly.
/// </summary>
public sealed class PrimitiveStepUpTests : McpServerTests
{
    private async Task<ProtectedMcpServer> StartAsync(bool stateful, Action<DescopeMcpOptions>? configure = null) =>
        await StartServerAsync(m => m.WithPrompts<RecordingPrompts>().WithResources<RecordingResources>(), configure, stateful);

    /// <summary>Sends one request in the protocol generation the server speaks.</summary>
    private async Task<HttpResponseMessage> SendAsync(ProtectedMcpServer server, bool stateful, string method, JsonObject parameters, string name, params string[] scopes)
    {
        var token = TokenFor(server, scopes);
        if (stateful)
        {
            var session = await RawMcp.InitializeSessionAsync(server.Http, server.McpUrl, token);
            using var inSession = RawMcp.Post(server.McpUrl, token, RawMcp.Body(method, parameters, RawMcp.Stateful), RawMcp.Stateful, ("Mcp-Session-Id", session));
            return await server.Http.SendAsync(inSession);
        }

        using var request = RawMcp.Post(server.McpUrl, token, RawMcp.Body(method, parameters), RawMcp.Latest, ("Mcp-Method", method), ("Mcp-Name", name));
        return await server.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetPromptAsync(ProtectedMcpServer server, bool stateful, string prompt, params string[] scopes) =>
        SendAsync(server, stateful, "prompts/get", new JsonObject { ["name"] = prompt }, prompt, scopes);

    private Task<HttpResponseMessage> ReadResourceAsync(ProtectedMcpServer server, bool stateful, string uri, params string[] scopes) =>
        SendAsync(server, stateful, "resources/read", new JsonObject { ["uri"] = uri }, uri, scopes);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_without_the_scope_gets_403_with_insufficient_scope_before_it_runs(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetPromptAsync(server, stateful, "weekly_review", "profile");

        AssertStepUpChallenge(response, server, "calendar.read");
        var data = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!;
        Assert.Equal("insufficient_scope", (string?)data["error"]);
        Assert.Equal("""["calendar.read"]""", data["missing_scopes"]!.ToJsonString());
        Assert.Equal("calendar.read profile", (string?)data["scope"]);
        Assert.Equal(0, Calls.Of("weekly_review"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_static_resource_without_the_scope_gets_403_with_insufficient_scope_before_it_is_read(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await ReadResourceAsync(server, stateful, "calendar://agenda");

        AssertStepUpChallenge(response, server, "calendar.read");
        Assert.Equal(0, Calls.Of("agenda"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_templated_resource_names_every_scope_its_template_requires(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await ReadResourceAsync(server, stateful, "calendar://events/42", "calendar.read");

        AssertStepUpChallenge(response, server, "calendar.read calendar.details");
        Assert.Equal("""["calendar.details"]""", (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!["missing_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Of("event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prompts_and_resources_run_when_the_scopes_are_granted(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var prompt = await GetPromptAsync(server, stateful, "weekly_review", "calendar.read");
        using var resource = await ReadResourceAsync(server, stateful, "calendar://events/42", "calendar.read", "calendar.details");

        Assert.Equal(HttpStatusCode.OK, prompt.StatusCode);
        Assert.Equal("Event 42", (string?)(await RawMcp.ReadMessageAsync(resource))["result"]!["contents"]![0]!["text"]);
        Assert.Equal(1, Calls.Of("weekly_review"));
        Assert.Equal(1, Calls.Of("event"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_needing_a_role_gets_a_plain_403_without_a_challenge(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetPromptAsync(server, stateful, "tenant_report", "calendar.read");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(
            "Forbidden: the caller lacks a role or permission this prompt requires.",
            (string?)(await RawMcp.ReadMessageAsync(response))["error"]!["message"]);
        Assert.Equal(0, Calls.Of("tenant_report"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task In_ToolError_mode_a_prompt_or_resource_gets_a_JSON_RPC_error_carrying_the_insufficient_scope_details(bool stateful)
    {
        var server = await StartAsync(stateful, o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var prompt = await GetPromptAsync(server, stateful, "weekly_review");
        using var resource = await ReadResourceAsync(server, stateful, "calendar://events/7");

        foreach (var response in new[] { prompt, resource })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Headers.WwwAuthenticate);
            var error = (await RawMcp.ReadMessageAsync(response))["error"]!;
            Assert.Equal(-32600, (int?)error["code"]);
            Assert.Equal("insufficient_scope", (string?)error["data"]!["error"]);
        }

        Assert.Equal("""["calendar.read","calendar.details"]""", (await RawMcp.ReadMessageAsync(resource))["error"]!["data"]!["required_scopes"]!.ToJsonString());
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task In_ToolError_mode_the_JSON_RPC_error_data_names_the_step_up_challenge_in_mcp_www_authenticate(bool stateful)
    {
        var server = await StartAsync(stateful, o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var prompt = await GetPromptAsync(server, stateful, "weekly_review");
        using var resource = await ReadResourceAsync(server, stateful, "calendar://events/7", "calendar.read");

        Assert.Equal(
            [$"Bearer error=\"insufficient_scope\", scope=\"calendar.read\", resource_metadata=\"{MetadataUrl(server)}\""],
            (await RawMcp.ReadMessageAsync(prompt))["error"]!["data"]!["mcp/www_authenticate"]!.AsArray().Select(value => (string?)value));
        Assert.Equal(
            [$"Bearer error=\"insufficient_scope\", scope=\"calendar.read calendar.details\", resource_metadata=\"{MetadataUrl(server)}\""],
            (await RawMcp.ReadMessageAsync(resource))["error"]!["data"]!["mcp/www_authenticate"]!.AsArray().Select(value => (string?)value));
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_403_error_data_names_the_challenge_its_header_carries(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await GetPromptAsync(server, stateful, "weekly_review");

        AssertStepUpChallenge(response, server, "calendar.read");
        var named = (await RawMcp.ReadMessageAsync(response))["error"]!["data"]!["mcp/www_authenticate"]!.AsArray();
        Assert.Equal(response.Headers.WwwAuthenticate.ToString(), (string?)Assert.Single(named));
    }

    [Fact]
    public async Task A_refusal_no_scope_can_fix_names_no_challenge()
    {
        var server = await StartAsync(stateful: false, o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError);

        using var response = await GetPromptAsync(server, stateful: false, "tenant_report");

        var error = (await RawMcp.ReadMessageAsync(response))["error"]!;
        Assert.Equal("Forbidden: the caller lacks a role or permission this prompt requires.", (string?)error["message"]);
        Assert.Null(error["data"]);
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unknown_prompts_and_resources_are_left_to_the_MCP_server(bool stateful)
    {
        var server = await StartAsync(stateful);

        using var response = await ReadResourceAsync(server, stateful, "calendar://nothing-here");

        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True((int)response.StatusCode < 500);
        Assert.NotNull((await RawMcp.ReadMessageAsync(response))["error"]);
        Assert.Equal(0, Calls.Total);
    }
}
