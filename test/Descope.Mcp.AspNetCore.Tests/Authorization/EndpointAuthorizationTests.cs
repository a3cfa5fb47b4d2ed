using System.Net;
using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

[ApiController]
[Route("api/reports")]
public sealed class ReportsController : ControllerBase
{
    [HttpGet, RequireScopes("reports.read")]
    public string Get() => "report for " + User.GetUserId();

    [HttpDelete, RequireScopes("reports.read"), RequirePermissions("reports:delete")]
    public string Delete() => "deleted by " + User.GetUserId();
}

/// <summary>The same attributes on ASP.NET Core endpoints and controllers next to the MCP server.</summary>
public sealed class EndpointAuthorizationTests : McpServerTests
{
    private ProtectedMcpServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await StartServerAsync(
            m => m.WithTools<CalendarTools>(),
            services: s => s.AddControllers().AddApplicationPart(typeof(ReportsController).Assembly),
            map: app =>
            {
                app.MapMcp("/mcp");
                app.MapControllers();
                app.MapGet("/api/calendar", () => "calendar").WithMetadata(new RequireScopesAttribute("calendar.read", "calendar.write"));
                app.MapGet("/api/tenant", () => "tenant").WithMetadata(new RequireRolesAttribute("Tenant Admin"));
            });
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task Minimal_API_endpoint_without_the_scopes_gets_403_with_insufficient_scope()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/calendar", Authority.CreateToken(t => t.Scopes.Add("calendar.read")));

        AssertStepUpChallenge(response, _server, "calendar.read calendar.write");
    }

    [Fact]
    public async Task Minimal_API_endpoint_with_the_scopes_answers()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/calendar", Authority.CreateToken(t => { t.Scopes.Add("calendar.read"); t.Scopes.Add("calendar.write"); }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_endpoint_with_an_attribute_but_no_token_gets_the_Descope_401_challenge()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/calendar", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer ", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("error=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Controller_action_without_the_scope_gets_403_with_insufficient_scope()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/reports", Authority.CreateToken());

        AssertStepUpChallenge(response, _server, "reports.read");
    }

    [Fact]
    public async Task Controller_action_with_the_scope_sees_the_caller()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/reports", Authority.CreateToken(t => { t.Subject = "U2Bob"; t.Scopes.Add("reports.read"); }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("report for U2Bob", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_missing_role_or_permission_on_an_endpoint_is_403_without_a_challenge()
    {
        using var role = await SendAsync(HttpMethod.Get, "/api/tenant", Authority.CreateToken());
        using var permission = await SendAsync(HttpMethod.Delete, "/api/reports", Authority.CreateToken(t => t.Scopes.Add("reports.read")));

        Assert.Equal(HttpStatusCode.Forbidden, role.StatusCode);
        Assert.Empty(role.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.Forbidden, permission.StatusCode);
        Assert.Empty(permission.Headers.WwwAuthenticate);
    }
}
