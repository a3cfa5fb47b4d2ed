using System.Net;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Endpoints;

/// <summary>
/// Endpoint filters wrap the SDK's handler; MCP endpoints must still be recognised, authenticated and gated.
/// </summary>
public sealed class EndpointFilterProtectionTests : McpServerTests
{
    private int _filterRuns;

    private Task<ProtectedMcpServer> StartAsync(Action<WebApplication> map, Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(m => m.WithTools<CalendarTools>(), configure, map: map);

    private ValueTask<object?> CountingFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        Interlocked.Increment(ref _filterRuns);
        return next(context);
    }

    private async Task AssertProtectedAsync(ProtectedMcpServer server)
    {
        using var anonymous = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, null, "ping"));
        using var weak = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server), "create_event"));
        using var strong = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "calendar.read", "calendar.write"), "create_event"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        AssertStepUpChallenge(weak, server, "calendar.read calendar.write");
        Assert.Equal(HttpStatusCode.OK, strong.StatusCode);
        Assert.Equal(1, Calls.Total);
        Assert.True(_filterRuns > 0);
    }

    [Fact]
    public async Task A_filter_on_MapMcp_keeps_authentication_and_the_step_up_gate() =>
        await AssertProtectedAsync(await StartAsync(app => app.MapMcp("/mcp").AddEndpointFilter(CountingFilter)));

    [Fact]
    public async Task A_filter_on_an_enclosing_group_keeps_authentication_and_the_step_up_gate() =>
        await AssertProtectedAsync(await StartAsync(app => app.MapGroup("").AddEndpointFilter(CountingFilter).MapMcp("/mcp")));

    [Fact]
    public async Task RequireDescopeAuthorization_with_a_filter_keeps_the_step_up_gate() =>
        await AssertProtectedAsync(await StartAsync(
            app => app.MapMcp("/mcp").AddEndpointFilter(CountingFilter).RequireDescopeAuthorization(),
            o => o.ProtectMcpEndpoints = false));

    [Fact]
    public async Task Legacy_sse_messages_are_judged_by_their_body_whatever_their_headers_say()
    {
#pragma warning disable MCP9004 // The legacy SSE transport is what this test is about.
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>(), stateful: true, services: s =>
            s.Configure<ModelContextProtocol.AspNetCore.HttpServerTransportOptions>(t => t.EnableLegacySse = true));
#pragma warning restore MCP9004
        var lying = RawMcp.Post(
            new Uri(server.BaseAddress, "/mcp/message?sessionId=none").AbsoluteUri,
            TokenFor(server),
            RawMcp.ToolCallBody("create_event", "2026-07-28", id: 5),
            null,
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "ping"));

        using var response = await server.Http.SendAsync(lying);

        AssertStepUpChallenge(response, server, "calendar.read calendar.write");
        Assert.Equal(0, Calls.Total);
    }
}
