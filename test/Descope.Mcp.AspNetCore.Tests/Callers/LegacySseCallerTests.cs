using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Descope.Mcp.AspNetCore.Tests.TokenExchange;
using ModelContextProtocol.Client;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Callers;

/// <summary>
/// On the legacy SSE transport the SDK runs handlers in the context of the <c>GET /sse</c> stream, while each message
/// arrives in its own <c>POST /message</c> carrying its own token. Only the token that authorised the message may be
/// sent to Descope.
/// </summary>
public sealed class LegacySseCallerTests
{
    [Fact]
    public async Task A_tool_on_the_legacy_sse_transport_fetches_with_the_token_of_the_message_not_of_the_stream()
    {
        await using var host = await StartLegacySseAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var streamToken = host.AccessToken();
        var messageToken = host.Authority.CreateToken(t => t.Subject = Alice);
        await using var client = await ConnectOverSseAsync(host, streamToken, messageToken);

        var result = await CallAsync(client, "user_token", new { appId = Calendar });

        // The message's token lacks the fetch scope, so Descope refuses it; the stream's token would have succeeded.
        Assert.DoesNotContain(connection.AccessToken, ErrorText(result));
        Assert.NotEmpty(host.Vault.Requests);
        Assert.All(host.Vault.Requests, r => Assert.Equal($"Bearer {host.Authority.ProjectId}:{messageToken}", r.Authorization));
    }

    [Fact]
    public async Task A_message_token_that_may_fetch_gets_the_connection_token_on_the_legacy_sse_transport()
    {
        await using var host = await StartLegacySseAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var streamToken = host.Authority.CreateToken(t => t.Subject = Alice);
        var messageToken = host.AccessToken();
        await using var client = await ConnectOverSseAsync(host, streamToken, messageToken);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{messageToken}", Assert.Single(host.Vault.Requests).Authorization);
    }

    [Fact]
    public async Task A_tool_on_the_legacy_sse_transport_exchanges_the_token_of_the_message_not_of_the_stream()
    {
#pragma warning disable MCP9004 // The legacy SSE transport is what this test is about.
        await using var host = await TokenExchangeTests.StartExchangeHostAsync(transport: t =>
        {
            t.Stateless = false;
            t.EnableLegacySse = true;
        });
#pragma warning restore MCP9004
        var streamToken = host.AccessToken();
        var messageToken = host.Authority.CreateToken(t => t.Subject = Alice);
        await using var client = await ConnectOverSseAsync(host, streamToken, messageToken);

        Text(await CallAsync(client, "exchange", new { audience = "calendar-api" }));

        Assert.Equal(messageToken, Assert.Single(host.Authority.TokenExchange.Requests).Fields["subject_token"]);
    }

    private static async Task<ConnectionTestHost> StartLegacySseAsync() =>
#pragma warning disable MCP9004 // The legacy SSE transport is what these tests are about.
        await StartAsync(transport: t =>
        {
            t.Stateless = false;
            t.EnableLegacySse = true;
        });
#pragma warning restore MCP9004

    /// <summary>The SDK's client over the legacy SSE transport: the stream is opened with one token, messages are posted with another.</summary>
    private static async Task<McpClient> ConnectOverSseAsync(ConnectionTestHost host, string streamToken, string messageToken)
    {
        var http = new HttpClient(new TokenPerMethod(streamToken, messageToken) { InnerHandler = new HttpClientHandler() });
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(host.Server.McpUrl + "/sse"), TransportMode = HttpTransportMode.Sse },
            http,
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    private sealed class TokenPerMethod(string getToken, string postToken) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.Method == HttpMethod.Get ? getToken : postToken);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
