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

    private Task<ProtectedMcpServer> StartServerAsync(bool stateful) =>
        StartServerAsync(m => m.WithTools<CalendarTools>(), o => o.RequiredScopes.Add("mcp.access"), stateful);
}
