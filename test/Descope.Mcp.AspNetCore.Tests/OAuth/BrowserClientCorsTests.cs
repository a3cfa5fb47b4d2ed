using System.Net;
using Descope.Mcp.AspNetCore.Testing;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// Browser-based MCP clients (MCP Inspector) call the authority's discovery, registration and token endpoints from
/// their own origin.
/// </summary>
public sealed class BrowserClientCorsTests : IAsyncLifetime
{
    private const string Origin = "http://localhost:6274";
    private DescopeTestAuthority _authority = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _authority = await DescopeTestAuthority.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    private string Url(string path) => _authority.BaseUrl.AbsoluteUri.TrimEnd('/') + path;

    [Fact]
    public async Task Metadata_answers_a_cross_origin_read()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _authority.WellKnownUrl);
        request.Headers.Add("Origin", Origin);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Theory]
    [InlineData("/v1/mgmt/mcp/client/{P}/{MS}/register")]
    [InlineData("/oauth2/v1/apps/agentic/{P}/{MS}/token")]
    public async Task Registration_and_token_answer_a_preflight(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, Url(path.Replace("{P}", _authority.ProjectId, StringComparison.Ordinal).Replace("{MS}", _authority.McpServerId, StringComparison.Ordinal)));
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type, authorization");

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Equal("content-type, authorization", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Headers")));
    }

    [Fact]
    public async Task Requests_without_an_origin_get_no_cors_headers()
    {
        using var response = await _http.GetAsync(_authority.WellKnownUrl);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
