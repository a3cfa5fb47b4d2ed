using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Tests.Endpoints;

/// <summary>
/// Secure by default: MapMcp endpoints need a token without RequireAuthorization(); opting out is explicit.
/// </summary>
public sealed class EndpointProtectionTests : IAsyncLifetime
{
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync() => _authority = await DescopeTestAuthority.StartAsync();

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    [Fact]
    public async Task Stateful_mcp_endpoints_are_protected_too()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority, transport: t => t.Stateless = false);

        using var anonymousGet = await server.Http.GetAsync("/mcp");
        using var anonymousDelete = await server.Http.DeleteAsync("/mcp");
        using var anonymousPost = await server.Http.SendAsync(server.McpRequest(token: null, method: "initialize"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousGet.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousDelete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousPost.StatusCode);
        await using var client = await server.ConnectAsync(_authority.CreateToken());
        Assert.NotEmpty(await client.ListToolsAsync());
    }

    [Fact]
    public async Task Other_endpoints_of_the_app_are_left_alone()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority, map: app =>
        {
            app.MapMcp("/mcp");
            app.MapGet("/health", () => "ok");
        });

        using var response = await server.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task With_protection_off_the_app_places_it_with_RequireDescopeAuthorization()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority, o => o.ProtectMcpEndpoints = false, map: app =>
        {
            app.MapMcp("/mcp").RequireDescopeAuthorization();
            app.MapMcp("/open");
            app.MapGet("/me", (HttpContext context) => context.User.FindFirst("sub")?.Value).RequireDescopeAuthorization();
        });

        using var protectedMcp = await server.Http.SendAsync(server.McpRequest(token: null));
        var open = server.McpRequest(token: null);
        open.RequestUri = new Uri(server.BaseAddress, "/open");
        using var openMcp = await server.Http.SendAsync(open);
        var me = new HttpRequestMessage(HttpMethod.Get, "/me");
        me.Headers.Authorization = new("Bearer", _authority.CreateToken(t => t.Subject = "U2Bob"));
        using var meResponse = await server.Http.SendAsync(me);
        using var meAnonymous = await server.Http.GetAsync("/me");

        Assert.Equal(HttpStatusCode.Unauthorized, protectedMcp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openMcp.StatusCode);
        Assert.Equal("U2Bob", await meResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, meAnonymous.StatusCode);
    }

    [Fact]
    public async Task An_explicit_AllowAnonymous_on_MapMcp_is_respected()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority, map: app => app.MapMcp("/mcp").AllowAnonymous());

        using var response = await server.Http.SendAsync(server.McpRequest(token: null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_mcp_path_other_than_the_server_url_is_protected_as_well()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority, map: app => app.MapMcp("/v2/mcp"));
        var request = server.McpRequest(token: null);
        request.RequestUri = new Uri(server.BaseAddress, "/v2/mcp");

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
