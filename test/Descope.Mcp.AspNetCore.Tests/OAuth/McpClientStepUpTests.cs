using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// The MCP SDK's own client against the test authority and a protected server: the whole OAuth dance, then a step-up.
/// </summary>
public sealed class McpClientStepUpTests : McpServerTests
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Authority.AddUser("U2Alice", user =>
        {
            user.Scopes.Add("mcp.access");
            user.Scopes.Add("calendar.read");
            user.Scopes.Add("calendar.write");
        });
        Authority.SignedInUser = "U2Alice";
    }

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task Client_is_authorized_for_the_required_scopes_then_steps_up_when_a_tool_needs_more(bool stateful, string protocol)
    {
        var server = await StartServerAsync(stateful);
        await using var client = await server.ConnectWithOAuthAsync(Authority);

        Assert.Equal(protocol, client.NegotiatedProtocolVersion);
        Assert.Equal(["export_events", "ping", "public_info"], (await client.ListToolsAsync()).Select(t => t.Name).Order());

        var result = await client.CallToolAsync("create_event", new Dictionary<string, object?> { ["title"] = "standup" });

        Assert.Equal("created standup", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(1, Calls.Of("create_event"));
        Assert.Equal(["create_event", "export_events", "list_events", "ping", "public_info"], (await client.ListToolsAsync()).Select(t => t.Name).Order());

        // One registration; one authorization for the required scope and one for the step-up.
        Assert.Equal(1, Authority.Requests.To($"/v1/mgmt/mcp/client/{Authority.ProjectId}/{Authority.McpServerId}/register"));
        Assert.Equal(2, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize"));
        Assert.Equal(2, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/token"));
    }

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task Client_steps_up_for_a_prompt_a_resource_and_a_tool_whose_arguments_need_more(bool stateful, string protocol)
    {
        Authority.AddUser("U2Bob", user =>
        {
            foreach (var scope in (string[])["mcp.access", "calendar.read", "calendar.details", "calendar.write", "calendar.admin"])
            {
                user.Scopes.Add(scope);
            }
        });
        Authority.SignedInUser = "U2Bob";
        var server = await StartServerAsync(
            m => m.WithPrompts<RecordingPrompts>().WithResources<RecordingResources>().WithTools<SharedCalendarTools>(),
            o => o.RequiredScopes.Add("mcp.access"),
            stateful);
        await using var client = await server.ConnectWithOAuthAsync(Authority);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        Assert.NotEmpty((await client.GetPromptAsync("weekly_review")).Messages);
        Assert.Equal("Event 9", Assert.IsType<TextResourceContents>(Assert.Single((await client.ReadResourceAsync("calendar://events/9")).Contents)).Text);
        var result = await client.CallToolAsync("delete_event", new Dictionary<string, object?> { ["calendar_id"] = "team" });

        Assert.Equal("deleted from team", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(1, Calls.Of("weekly_review"));
        Assert.Equal(1, Calls.Of("event"));
        Assert.Equal(1, Calls.Of("delete_event"));

        // The first authorization for the required scope, then one step-up for each of the three.
        Assert.Equal(4, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize"));
    }

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task Client_steps_up_for_completions_of_a_scoped_prompt_and_a_scoped_resource_template(bool stateful, string protocol)
    {
        Authority.AddUser("U2Carol", user =>
        {
            foreach (var scope in (string[])["mcp.access", "calendar.read", "calendar.details"])
            {
                user.Scopes.Add(scope);
            }
        });
        Authority.SignedInUser = "U2Carol";
        var server = await StartServerAsync(m => m.WithCompletablePrimitives(Calls), o => o.RequiredScopes.Add("mcp.access"), stateful);
        await using var client = await server.ConnectWithOAuthAsync(Authority);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        var prompt = await client.CompleteAsync(new PromptReference { Name = "team_review" }, "team", "eng");
        var template = await client.CompleteAsync(new ResourceTemplateReference { Uri = "calendar://teams/{team}" }, "team", "mer");

        Assert.Equal([CompletablePrimitives.HandlerValue, "engineering"], prompt.Completion.Values);
        Assert.Equal([CompletablePrimitives.HandlerValue, CompletablePrompts.SecretTeam], template.Completion.Values);
        Assert.Equal(2, Calls.Of("complete"));

        // The first authorization for the required scope, then one step-up for each completion.
        Assert.Equal(3, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/authorize"));
    }

    private Task<ProtectedMcpServer> StartServerAsync(bool stateful) =>
        StartServerAsync(m => m.WithTools<CalendarTools>(), o => o.RequiredScopes.Add("mcp.access"), stateful);
}
