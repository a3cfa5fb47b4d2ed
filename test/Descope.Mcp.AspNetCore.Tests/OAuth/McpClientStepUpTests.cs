using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// The MCP SDK's own client against the test authority and a protected server: the whole OAuth dance, then a step-up.
/// </summary>
public sealed class McpClientStepUpTests : IAsyncLifetime
{
    private readonly ToolInvocations _calls = new();
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync();
        _authority.AddUser("U2Alice", user =>
        {
            user.Scopes.Add("mcp.access");
            user.Scopes.Add("calendar.read");
            user.Scopes.Add("calendar.write");
        });
        _authority.SignedInUser = "U2Alice";
    }

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task Client_is_authorized_for_the_required_scopes_then_steps_up_when_a_tool_needs_more(bool stateful, string protocol)
    {
        await using var server = await StartServerAsync(stateful);
        await using var client = await server.ConnectWithOAuthAsync(_authority);

        Assert.Equal(protocol, client.NegotiatedProtocolVersion);
        Assert.Equal(["export_events", "ping", "public_info"], (await client.ListToolsAsync()).Select(t => t.Name).Order());

        var result = await client.CallToolAsync("create_event", new Dictionary<string, object?> { ["title"] = "standup" });

        Assert.Equal("created standup", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(1, _calls.Of("create_event"));
        Assert.Equal(["create_event", "export_events", "list_events", "ping", "public_info"], (await client.ListToolsAsync()).Select(t => t.Name).Order());

        // One registration; one authorization for the required scope and one for the step-up.
        Assert.Equal(1, _authority.Requests.To($"/v1/mgmt/mcp/client/{_authority.ProjectId}/{_authority.McpServerId}/register"));
        Assert.Equal(2, _authority.Requests.To($"/oauth2/v1/apps/agentic/{_authority.ProjectId}/{_authority.McpServerId}/authorize"));
        Assert.Equal(2, _authority.Requests.To($"/oauth2/v1/apps/agentic/{_authority.ProjectId}/{_authority.McpServerId}/token"));
    }

    private Task<ProtectedMcpServer> StartServerAsync(bool stateful) =>
        ProtectedMcpServer.StartAsync(
            _authority,
            configure: o => o.RequiredScopes.Add("mcp.access"),
            services: s => s.AddSingleton(_calls),
            transport: t => t.Stateless = !stateful,
            mcp: m => m.WithTools<CalendarTools>());
}
