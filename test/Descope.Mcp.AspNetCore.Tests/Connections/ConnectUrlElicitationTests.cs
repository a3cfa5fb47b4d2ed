using System.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Connections.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

/// <summary>
/// Adaptive Connect: a user who has not connected an app is sent to the connect page with URL-mode elicitation when
/// their MCP client declared it, on both protocol generations; other clients keep the tool error with the URL.
/// </summary>
public sealed class ConnectUrlElicitationTests
{
    public static TheoryData<string> Generations => ["2025-11-25", "2026-07-28"];

    [Theory]
    [MemberData(nameof(Generations))]
    public async Task A_client_that_declared_url_elicitation_is_sent_to_the_connect_page_and_its_retry_succeeds(string protocolVersion)
    {
        await using var host = await StartAsync(transport: t => t.Stateless = protocolVersion != "2025-11-25");
        await using var client = await ConnectAsync(host, protocolVersion, urlElicitation: true);

        var elicitation = await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));
        var request = Assert.Single(elicitation.Elicitations);
        Assert.Equal("url", request.Mode);
        Assert.False(string.IsNullOrEmpty(request.ElicitationId));
        var connectUrl = new Uri(request.Url!);
        Assert.StartsWith(host.Authority.BaseUrl.AbsoluteUri, connectUrl.AbsoluteUri, StringComparison.Ordinal);

        // The user "opens" the URL: the offline connect page connects the app at once.
        using (var browser = new HttpClient())
        {
            using var page = await browser.GetAsync(connectUrl);
            Assert.True(page.IsSuccessStatusCode, $"The connect page answered {(int)page.StatusCode}.");
        }

        var retried = Text(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));
        var connection = host.Vault.FindByAccessToken(retried);
        Assert.NotNull(connection);
        Assert.Equal(Calendar, connection.AppId);
        Assert.Equal(Alice, connection.UserId);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public async Task A_client_without_url_elicitation_gets_the_tool_error_with_the_connect_url(string protocolVersion)
    {
        await using var host = await StartAsync(transport: t => t.Stateless = protocolVersion != "2025-11-25");
        await using var client = await ConnectAsync(host, protocolVersion, urlElicitation: false);

        var text = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("not connected", text, StringComparison.Ordinal);
        Assert.Contains(host.Authority.BaseUrl.AbsoluteUri, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_setting_turns_url_elicitation_off()
    {
        await using var host = await StartAsync(o => o.Connections.UseUrlElicitation = false);
        await using var client = await ConnectAsync(host, "2026-07-28", urlElicitation: true);

        Assert.Contains("not connected", ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })), StringComparison.Ordinal);
    }

    private static async Task<McpClient> ConnectAsync(ConnectionTestHost host, string protocolVersion, bool urlElicitation)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AccessToken());
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(host.Server.McpUrl), TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true);
        var options = new McpClientOptions { ProtocolVersion = protocolVersion };
        if (urlElicitation)
        {
            options.Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Url = new UrlElicitationCapability() } };
            options.Handlers.ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult { Action = "accept" });
        }

        return await McpClient.CreateAsync(transport, options);
    }
}
