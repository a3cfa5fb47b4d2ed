using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// The audience and signing-key rules of the scheme, each on a server of its own: the scheme builds its validation
/// rules once, on the first request a server authenticates, so every test here is that first request.
/// </summary>
public sealed class AudienceAndKeyRuleTests : IAsyncLifetime
{
    private DescopeTestAuthority _authority = null!;
    private ProtectedMcpServer? _server;

    public async Task InitializeAsync() => _authority = await DescopeTestAuthority.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _authority.DisposeAsync();
    }

    private async Task<ProtectedMcpServer> StartAsync() => _server = await ProtectedMcpServer.StartAsync(_authority);

    private static async Task AssertRefusedAsync(ProtectedMcpServer server, string token, string description)
    {
        using var response = await server.Http.SendAsync(server.McpRequest(token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains($"error_description=\"{description}\"", response.Headers.GetValues("WWW-Authenticate").First(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{url}/")]
    [InlineData("{url}//")]
    [InlineData("{URL}")]
    [InlineData("{url}?")]
    [InlineData("{url}#")]
    [InlineData("{url}/.")]
    [InlineData("{origin}")]
    public async Task An_audience_that_only_resembles_the_configured_server_url_is_refused(string template)
    {
        var server = await StartAsync();
        var audience = template
            .Replace("{url}", server.McpUrl, StringComparison.Ordinal)
            .Replace("{URL}", server.McpUrl.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{origin}", server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);

        await AssertRefusedAsync(server, _authority.CreateToken(t => t.Audience = audience), "The access token was issued for another resource");
        using var accepted = await server.Http.SendAsync(server.McpRequest(_authority.CreateToken(t => t.Audience = server.McpUrl)));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_a_trusted_key_under_a_kid_the_key_set_does_not_publish_is_refused()
    {
        var server = await StartAsync();

        await AssertRefusedAsync(server, _authority.CreateToken(t => t.KeyId = "not-published"), "The access token signature is invalid");
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var server = await StartAsync();

        await AssertRefusedAsync(server, _authority.CreateToken(t => t.Issuer = "https://attacker.example.com/P2abc"), "The access token issuer is not trusted");
    }
}
