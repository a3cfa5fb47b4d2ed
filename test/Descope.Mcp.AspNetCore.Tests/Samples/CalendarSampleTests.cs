using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Samples;

/// <summary>
/// The README's first command: the sample, started as its own process in Development with no Descope settings, runs on
/// the embedded authority and prints a token that works.
/// </summary>
public sealed partial class CalendarSampleTests : IAsyncLifetime
{
    private Process _process = null!;
    private string _token = null!;
    private Uri _mcpUrl = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        _mcpUrl = new Uri($"http://127.0.0.1:{port}/mcp");
        var sampleDll = typeof(CalendarMcpServer.CalendarTools).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [sampleDll])
        {
            WorkingDirectory = Path.GetDirectoryName(sampleDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Descope__McpServerUrl"] = _mcpUrl.AbsoluteUri;
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (TokenLine().Match(line) is { Success: true } match)
            {
                _token = match.Groups[1].Value;
                return;
            }
        }

        throw new InvalidOperationException("The sample exited without printing a token.");
    }

    public Task DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_sample_runs_offline_and_refuses_anonymous_callers()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(_mcpUrl, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            $"Bearer scope=\"outbound.token.fetch\", resource_metadata=\"http://127.0.0.1:{_mcpUrl.Port}/.well-known/oauth-protected-resource/mcp\"",
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_printed_token_reaches_the_tools_through_an_mcp_client()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = _mcpUrl, TransportMode = HttpTransportMode.StreamableHttp },
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

    [GeneratedRegex(@"Bearer token \(8 h\): (\S+)")]
    private static partial Regex TokenLine();
}
