using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

public sealed class StepUpGateTests : IAsyncLifetime
{
    private readonly ToolInvocations _calls = new();
    private DescopeTestAuthority _authority = null!;
    private ProtectedMcpServer _server = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync();
        _server = await ProtectedMcpServer.StartAsync(
            _authority,
            services: s => s.AddSingleton(_calls),
            mcp: m => m.WithTools<CalendarTools>().WithTools<AdminTools>());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _authority.DisposeAsync();
    }

    private string Metadata => _server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp";

    [Fact]
    public async Task Tool_call_without_the_scope_gets_403_with_insufficient_scope_before_the_tool_runs()
    {
        var token = _authority.CreateToken(t => t.Scopes.Add("calendar.read"));

        using var response = await _server.Http.SendAsync(RawMcp.ToolCall(_server.McpUrl, token, "create_event"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            $"Bearer error=\"insufficient_scope\", scope=\"calendar.read calendar.write\", resource_metadata=\"{Metadata}\"",
            response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, _calls.Total);
    }

    [Fact]
    public async Task Tool_call_with_the_scopes_runs_the_tool()
    {
        var token = _authority.CreateToken(t => { t.Scopes.Add("calendar.read"); t.Scopes.Add("calendar.write"); });

        using var response = await _server.Http.SendAsync(RawMcp.ToolCall(_server.McpUrl, token, "create_event"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await RawMcp.ReadMessageAsync(response);
        Assert.Equal("created meeting", (string?)message["result"]!["content"]![0]!["text"]);
        Assert.Equal(1, _calls.Of("create_event"));
    }
}
