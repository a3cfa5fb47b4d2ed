using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

public sealed class McpClientAuthenticationTests : AuthorityAndServerFixture
{
    [Fact]
    public async Task Mcp_client_with_a_valid_token_lists_the_tools_of_a_protectedServer()
    {
        await using var client = await Server.ConnectAsync(Authority.CreateToken());

        var tools = await client.ListToolsAsync();

        Assert.Equal(["echo", "whoami"], tools.Select(t => t.Name).Order());
    }

    [Fact]
    public async Task Tool_sees_the_caller_as_the_token_subject()
    {
        await using var client = await Server.ConnectAsync(Authority.CreateToken(t => t.Subject = "U2Alice"));

        var result = await client.CallToolAsync("whoami");

        Assert.Equal("U2Alice", Assert.IsType<ModelContextProtocol.Protocol.TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task Mcp_client_without_a_token_gets_401_with_the_metadata_url()
    {
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            await using var client = await Server.ConnectAsync(token: null);
            await client.ListToolsAsync();
        });

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);

        using var response = await Server.Http.SendAsync(Server.McpRequest(token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP(
                $"Bearer resource_metadata=\"{Server.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp\"",
                $"{Server.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp"),
            response.Headers.WwwAuthenticate.ToString());
    }
}
