using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Elicitation;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Elicitation;

/// <summary>
/// Adaptive Connect: a user who has not connected an app is sent to the connect page with URL-mode elicitation when
/// their MCP client declared it, on both protocol generations; other clients keep the tool error with the URL. On a
/// session the connect page returns the user to the server, which tells the client with
/// <c>notifications/elicitation/complete</c>; stateless requests have no channel for that.
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
    public async Task A_2025_11_25_client_on_a_stateless_server_gets_the_tool_error_with_the_connect_url_as_its_initialize_is_forgotten()
    {
        // The capability is declared in initialize only; a stateless server keeps nothing of it for later requests.
        await using var host = await StartAsync(transport: t => t.Stateless = true);
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);

        var text = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Equal("2025-11-25", client.NegotiatedProtocolVersion);
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

    public static TheoryData<HttpTransportMode> SessionTransports => [HttpTransportMode.StreamableHttp, HttpTransportMode.Sse];

    [Theory]
    [MemberData(nameof(SessionTransports))]
    public async Task On_a_session_the_client_is_told_when_the_user_is_back_from_the_connect_page_and_its_retry_succeeds(HttpTransportMode mode)
    {
        await using var host = await StartSessionHostAsync();
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true, mode);
        var completed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.ElicitationCompleteNotification, (notification, _) =>
        {
            completed.TrySetResult(notification.Params.Deserialize<ElicitationCompleteNotificationParams>(McpJsonUtilities.DefaultOptions)!.ElicitationId);
            return ValueTask.CompletedTask;
        });

        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }))).Elicitations);
        Assert.False(completed.Task.IsCompleted);
        await host.Authority.CompleteConnectAsync(new Uri(elicitation.Url!));

        // A guard against hanging, not a timing assertion: the notification is sent before the page answers.
        Assert.Equal(elicitation.ElicitationId, await completed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var retried = Text(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));
        Assert.Equal(Alice, host.Vault.FindByAccessToken(retried)?.UserId);
    }

    [Fact]
    public async Task The_connect_url_returns_to_a_completion_url_on_this_server_that_works_once()
    {
        await using var host = await StartSessionHostAsync();
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);
        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);
        var completionUrl = ReturnUrl(elicitation);

        Assert.StartsWith(host.Server.McpUrl + "/elicitations/", completionUrl, StringComparison.Ordinal);
        Assert.DoesNotContain(host.AccessToken(), elicitation.Url, StringComparison.Ordinal);
        using var browser = new HttpClient();
        using var link = new HttpRequestMessage(HttpMethod.Head, completionUrl);
        using var checkedLink = await browser.SendAsync(link);
        using var first = await browser.GetAsync(completionUrl);
        using var second = await browser.GetAsync(completionUrl);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, checkedLink.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/html; charset=utf-8", first.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-store", first.Headers.CacheControl!.ToString());
        Assert.Contains("return to your MCP client", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.DoesNotContain(elicitation.ElicitationId!, await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_user_allows_on_an_interactive_connect_page_the_client_is_told_once_the_page_returns()
    {
        await using var host = await StartSessionHostAsync(authority: a => a.InteractiveConsent = true);
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);
        var completed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.ElicitationCompleteNotification, (notification, _) =>
        {
            completed.TrySetResult(notification.Params.Deserialize<ElicitationCompleteNotificationParams>(McpJsonUtilities.DefaultOptions)!.ElicitationId);
            return ValueTask.CompletedTask;
        });
        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);

        await host.Authority.CompleteConnectAsync(new Uri(elicitation.Url!));

        Assert.Equal(elicitation.ElicitationId, await completed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.NotNull(host.Vault.Find(Calendar, Alice, null, []));
    }

    [Fact]
    public async Task A_completion_url_expires_after_thirty_minutes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartSessionHostAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);
        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);

        clock.Advance(TimeSpan.FromMinutes(30));
        using var browser = new HttpClient();
        using var late = await browser.GetAsync(ReturnUrl(elicitation));

        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
    }

    [Theory]
    [InlineData("/elicitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/complete")]
    [InlineData("/elicitations/not-an-id/complete")]
    [InlineData("/elicitations/%0d%0a%3Cscript%3E/complete")]
    [InlineData("/elicitations//complete")]
    public async Task An_unknown_or_malformed_completion_url_gets_the_same_plain_not_found_page(string path)
    {
        await using var host = await StartSessionHostAsync();
        using var browser = new HttpClient();

        using var response = await browser.GetAsync(host.Server.McpUrl + path);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("not valid", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_configured_redirect_the_completion_notifies_the_client_and_sends_the_user_there()
    {
        const string Landing = "https://app.example.com/connected";
        await using var host = await StartSessionHostAsync(o => o.Connections.ConnectRedirectUrl = Landing);
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.ElicitationCompleteNotification, (_, _) =>
        {
            completed.TrySetResult();
            return ValueTask.CompletedTask;
        });
        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var completion = await browser.GetAsync(ReturnUrl(elicitation));

        Assert.Equal(HttpStatusCode.Redirect, completion.StatusCode);
        Assert.Equal(Landing, completion.Headers.Location!.AbsoluteUri);
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_stateless_request_has_no_completion_channel_so_its_connect_url_is_unchanged()
    {
        const string Landing = "https://app.example.com/connected";
        await using var host = await StartAsync(o => o.Connections.ConnectRedirectUrl = Landing);
        await using var client = await ConnectAsync(host, "2026-07-28", urlElicitation: true);

        var elicitation = Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
            CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);

        Assert.Equal(Landing, ReturnUrl(elicitation));
        Assert.Single(host.Vault.Requests, r => r.Path == "/v1/mgmt/outbound/app/connect");
    }

    [Fact]
    public async Task With_url_elicitation_off_the_completion_path_is_left_to_the_app()
    {
        await using var host = await StartSessionHostAsync(o => o.Connections.UseUrlElicitation = false);
        await using var client = await ConnectAsync(host, "2025-11-25", urlElicitation: true);

        var text = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));
        using var browser = new HttpClient();
        using var response = await browser.GetAsync(host.Server.McpUrl + "/elicitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/complete");

        Assert.Contains("not connected", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/elicitations/", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_caller_beyond_its_share_of_pending_completions_loses_only_its_own_oldest()
    {
        await using var host = await StartSessionHostAsync();
        await using var alice = await ConnectAsync(host, "2025-11-25", urlElicitation: true);
        await using var bob = await ConnectAsync(host, "2025-11-25", urlElicitation: true, user: "U2Bob");
        var bobs = await ElicitAsync(bob);
        var alices = new List<ElicitRequestParams>();
        for (var i = 0; i <= UrlElicitationCompletions.CapacityPerCaller; i++)
        {
            alices.Add(await ElicitAsync(alice));
        }

        using var browser = new HttpClient();
        using var oldest = await browser.GetAsync(ReturnUrl(alices[0]));
        using var newest = await browser.GetAsync(ReturnUrl(alices[^1]));
        using var other = await browser.GetAsync(ReturnUrl(bobs));

        Assert.All(alices, e => Assert.StartsWith(host.Server.McpUrl + "/elicitations/", ReturnUrl(e), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, oldest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        static async Task<ElicitRequestParams> ElicitAsync(McpClient client) =>
            Assert.Single((await Assert.ThrowsAsync<UrlElicitationRequiredException>(() =>
                CallAsync(client, "user_token", new { appId = Calendar }))).Elicitations);
    }

    /// <summary>Where the test authority's connect page sends the user when they are done.</summary>
    private static string? ReturnUrl(ElicitRequestParams elicitation) =>
        QueryHelpers.ParseQuery(new Uri(elicitation.Url!).Query).TryGetValue("redirect", out var redirect) ? redirect.ToString() : null;

#pragma warning disable MCP9004 // Sessions include the legacy SSE transport, which has a channel to the client too.
    private static Task<ConnectionTestHost> StartSessionHostAsync(
        Action<DescopeMcpOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<DescopeTestAuthorityOptions>? authority = null) =>
        StartAsync(configure, services, authority, transport: t =>
        {
            t.Stateless = false;
            t.EnableLegacySse = true;
        });
#pragma warning restore MCP9004

    private static async Task<McpClient> ConnectAsync(
        ConnectionTestHost host, string protocolVersion, bool urlElicitation, HttpTransportMode mode = HttpTransportMode.StreamableHttp, string user = Alice)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AccessToken(user));
        var endpoint = new Uri(host.Server.McpUrl + (mode == HttpTransportMode.Sse ? "/sse" : ""));
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = mode },
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
