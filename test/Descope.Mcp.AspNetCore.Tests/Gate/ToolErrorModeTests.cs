using System.Net;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

/// <summary>
/// <see cref="ToolAuthorizationFailureMode.ToolError"/>: for clients that cannot step up, a refused tool call is an MCP tool
/// error result carrying what the 403 would have said.
/// </summary>
public sealed class ToolErrorModeTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(bool stateful) =>
        StartServerAsync(
            m => m.WithTools<CalendarTools>().WithTools<TenantTools>(),
            o => o.ToolAuthorizationFailureMode = ToolAuthorizationFailureMode.ToolError,
            stateful);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_missing_scopes_gets_a_tool_error_with_the_insufficient_scope_details(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"));

        var result = await client.CallToolAsync("create_event");

        Assert.True(result.IsError);
        var expected = new InsufficientScopeException(["calendar.read", "calendar.write"], ["calendar.read"]).ToJson();
        Assert.Equal(expected, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(result.StructuredContent!.Value.GetRawText())));
        Assert.Equal(0, Calls.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_tool_error_names_the_step_up_challenge_in_meta_www_authenticate(bool stateful)
    {
        var server = await StartAsync(stateful);
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"));

        var result = await client.CallToolAsync("create_event");

        Assert.True(result.IsError);
        Assert.Equal(
            [$"Bearer error=\"insufficient_scope\", scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\""],
            result.Meta!["mcp/www_authenticate"]!.AsArray().Select(value => (string?)value));
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_DPoP_caller_is_named_the_challenge_in_the_DPoP_scheme()
    {
        using var key = Descope.Mcp.AspNetCore.Testing.TestDPoPKey.Create();
        var server = await StartAsync(stateful: false);
        var token = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.DPoPThumbprint = key.Thumbprint;
            t.Scopes.Add("calendar.read");
        });
        await using var client = await DPoPClient.ConnectAsync(server, token, key);

        var result = await client.CallToolAsync("create_event");

        Assert.True(result.IsError);
        var challenges = result.Meta!["mcp/www_authenticate"]!.AsArray();
        Assert.Equal(
            $"DPoP error=\"insufficient_scope\", scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\"",
            (string?)Assert.Single(challenges));
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task A_call_missing_a_permission_gets_a_tool_error_without_scope_details()
    {
        var server = await StartAsync(stateful: false);
        await using var client = await server.ConnectAsync(TokenFor(server));

        var result = await client.CallToolAsync("approve_invoice");

        Assert.True(result.IsError);
        Assert.Equal("Forbidden: the caller lacks a role or permission this tool requires.", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Null(result.StructuredContent);

        // No challenge: signing in again or with more scope would not help.
        Assert.Null(result.Meta?["mcp/www_authenticate"]);
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task The_result_keeps_the_request_id_and_answers_in_plain_JSON()
    {
        var server = await StartAsync(stateful: false);

        using var response = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server), "create_event", body: RawMcp.ToolCallBody("create_event", id: 77)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal(77, (int?)message["id"]);
        Assert.Equal("complete", (string?)message["result"]!["resultType"]);
    }
}
