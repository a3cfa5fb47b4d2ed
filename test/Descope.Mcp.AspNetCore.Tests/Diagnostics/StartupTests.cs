using System.Net;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// Startup tells the truth without waiting: keys load in the background, an unreachable authority is logged before any
/// request, and a server whose MCP endpoints are unprotected or do not match <c>McpServerUrl</c> says so.
/// </summary>
public sealed class StartupTests
{
    private const int AuthorityUnavailable = 2;
    private const int NoMcpEndpointProtected = 201;
    private const int McpServerUrlMatchesNoEndpoint = 202;

    [Fact]
    public async Task Signing_keys_load_at_startup_so_the_first_caller_waits_for_no_round_trip()
    {
        await using var host = await ObservedServer.StartAsync();
        await host.KeysLoadedAsync();
        var discoveries = host.Authority.Requests.Discovery;
        Assert.True(discoveries >= 1);

        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(host.Server.McpRequest(host.Authority.CreateToken()))).StatusCode);

        Assert.Equal(discoveries, host.Authority.Requests.Discovery);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_host_that_stops_its_services_after_disposing_them_stops_cleanly()
    {
        // WebApplicationFactory does this once the app's own Run has returned.
        var host = await ObservedServer.StartAsync(beforeStart: authority => authority.MetadataAvailable = false);
        var startup = host.Server.Services.GetServices<IHostedService>().OfType<DescopeMcpStartup>().Single();
        await host.DisposeAsync();

        await startup.StopAsync(CancellationToken.None);
        startup.Dispose();
    }

    [Fact]
    public async Task An_unreachable_authority_is_logged_at_startup_without_failing_it()
    {
        await using var host = await ObservedServer.StartAsync(beforeStart: authority => authority.MetadataAvailable = false);

        for (var i = 0; i < 100 && !host.Logs.Entries.Any(e => e.EventId.Id == AuthorityUnavailable); i++)
        {
            await Task.Delay(20);
        }

        var logged = Assert.Single(host.Logs.Entries, e => e.EventId.Id == AuthorityUnavailable);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains(host.Authority.WellKnownUrl, logged.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.GetAsync("/.well-known/oauth-protected-resource/mcp")).StatusCode);
    }

    [Fact]
    public async Task An_McpServerUrl_whose_path_matches_no_MCP_endpoint_is_warned_about()
    {
        await using var host = await ObservedServer.StartAsync(
            configure: options => options.McpServerUrl = options.McpServerUrl!.Replace("/mcp", "/api/mcp", StringComparison.Ordinal));

        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == McpServerUrlMatchesNoEndpoint);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("/api/mcp", warning.Message, StringComparison.Ordinal);
        Assert.Contains("mapped: /mcp", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_maps_no_MCP_endpoint_is_warned_about()
    {
        await using var host = await ObservedServer.StartAsync(map: app => app.MapHealthChecks("/healthz"));

        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == McpServerUrlMatchesNoEndpoint);
        Assert.Contains("mapped: none", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_MCP_endpoints_all_allow_anonymous_access_is_warned_about()
    {
        await using var host = await ObservedServer.StartAsync(map: app => app.MapMcp("/mcp").AllowAnonymous());

        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == NoMcpEndpointProtected);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == McpServerUrlMatchesNoEndpoint);
    }
}
