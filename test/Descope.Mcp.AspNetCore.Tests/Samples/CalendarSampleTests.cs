using System.Net;
using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Samples;

/// <summary>
/// The README's first command: the sample, started as its own process in Development with no Descope settings, runs on
/// the embedded authority and prints a token that works.
/// </summary>
public sealed class CalendarSampleTests(SampleServerProcess sample) : IClassFixture<SampleServerProcess>
{
    [Fact]
    public void The_sample_advertises_the_url_it_was_told_to_listen_on()
    {
        Assert.Equal(new Uri($"http://127.0.0.1:{sample.Port}/mcp"), sample.McpUrl);
    }

    [Fact]
    public async Task The_sample_runs_offline_and_refuses_anonymous_callers()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(sample.McpUrl, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            Challenges.WithDPoP(
                $"Bearer scope=\"outbound.token.fetch\", resource_metadata=\"http://127.0.0.1:{sample.McpUrl.Port}/.well-known/oauth-protected-resource/mcp\"",
                $"http://127.0.0.1:{sample.McpUrl.Port}/.well-known/oauth-protected-resource/mcp",
                "outbound.token.fetch"),
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_printed_token_reads_the_calendar_through_an_mcp_client()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sample.Token);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = sample.McpUrl, TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true);
        await using var client = await McpClient.CreateAsync(transport);

        var whoami = await client.CallToolAsync("whoami");
        var events = await client.CallToolAsync("get_calendar_events", new Dictionary<string, object?> { ["max_results"] = 2 });

        Assert.Equal("user: U2DemoUser; scopes: calendar.read outbound.token.fetch", Assert.IsType<TextContentBlock>(Assert.Single(whoami.Content)).Text);
        Assert.NotEqual(true, events.IsError);
        var lines = Assert.IsType<TextContentBlock>(Assert.Single(events.Content)).Text.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("Team stand-up", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_printed_token_may_not_read_a_calendar_its_user_has_no_viewer_relation_with()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sample.Token);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = sample.McpUrl, TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true);
        await using var client = await McpClient.CreateAsync(transport);

        var events = await client.CallToolAsync("get_calendar_events", new Dictionary<string, object?> { ["calendar_id"] = "team-offsite" });

        Assert.True(events.IsError);
        Assert.Equal("insufficient_authorization", (string?)events.Meta!["io.modelcontextprotocol/authorization"]!["reason"]);
        Assert.Contains("viewer on calendar 'team-offsite'", Assert.IsType<TextContentBlock>(Assert.Single(events.Content)).Text, StringComparison.Ordinal);
    }
}
