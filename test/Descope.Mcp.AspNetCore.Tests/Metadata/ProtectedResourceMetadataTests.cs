using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Metadata;

/// <summary>
/// RFC 9728 protected resource metadata at both well-known paths: anonymous, CORS-enabled, GET and HEAD only.
/// </summary>
public sealed class ProtectedResourceMetadataTests : AuthorityAndServerFixture
{
    protected override void ConfigureDescope(DescopeMcpOptions options)
    {
        options.ScopesSupported.Add("calendar.read");
        options.ScopesSupported.Add("calendar.write");
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource")]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    public async Task Metadata_is_served_anonymously_at_both_paths(string path)
    {
        using var response = await Server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(Server.McpUrl, root.GetProperty("resource").GetString());
        Assert.Equal([Authority.Issuer], root.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["calendar.read", "calendar.write"], root.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], root.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Head_returns_the_headers_without_a_body()
    {
        using var response = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/.well-known/oauth-protected-resource/mcp"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength > 0);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        using var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/.well-known/oauth-protected-resource/mcp"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_browser_preflight_is_answered()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/.well-known/oauth-protected-resource/mcp");
        request.Headers.Add("Origin", "https://inspector.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "mcp-protocol-version");

        using var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("GET", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/other")]
    [InlineData("/.well-known/oauth-protected-resource/mcp/extra")]
    [InlineData("/.well-known/oauth-protected-resourcex")]
    public async Task Other_paths_are_not_metadata(string path)
    {
        using var response = await Server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_401_challenge_carries_the_configured_scopes_and_the_path_specific_metadata_url()
    {
        using var response = await Server.Http.SendAsync(Server.McpRequest(token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [
                $"Bearer scope=\"calendar.read calendar.write\", resource_metadata=\"{Server.BaseAddress.AbsoluteUri}.well-known/oauth-protected-resource/mcp\"",
                Challenges.DPoP($"{Server.BaseAddress.AbsoluteUri}.well-known/oauth-protected-resource/mcp", "calendar.read calendar.write"),
            ],
            response.Headers.GetValues("WWW-Authenticate"));
    }
}
