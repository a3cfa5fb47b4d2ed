using System.Net;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// <c>AddHealthChecks().AddDescopeMcp()</c> behind <c>/healthz</c> follows an outage of the authority: unhealthy while the
/// keys never loaded, healthy once they do, degraded while the last good keys serve after a failed reload.
/// </summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Health_follows_an_outage_of_the_authority()
    {
        await using var host = await ObservedServer.StartAsync(
            configure: options => options.KeyRefreshInterval = TimeSpan.FromSeconds(1),
            beforeStart: authority => authority.MetadataAvailable = false);

        var cold = await host.Server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cold.StatusCode);
        Assert.Equal("Unhealthy", await cold.Content.ReadAsStringAsync());

        // The startup loader keeps trying in the background: the keys load once the authority is back, without a request.
        host.Authority.MetadataAvailable = true;
        await host.KeysLoadedAsync();
        var probesBefore = host.Authority.Requests.Discovery;
        Assert.Equal("Healthy", await host.HealthAsync());
        Assert.Equal("Healthy", await host.HealthAsync());
        Assert.Equal(probesBefore, host.Authority.Requests.Discovery);

        // Down again: a token signed with a new key forces a reload, which fails; the old keys stay in use.
        host.Authority.MetadataAvailable = false;
        host.Authority.RotateSigningKey();
        await host.Server.Http.SendAsync(host.Server.McpRequest(host.Authority.CreateToken()));
        var degraded = await host.Server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Equal("Degraded", await degraded.Content.ReadAsStringAsync());

        // Back: the next reload succeeds and health returns.
        host.Authority.MetadataAvailable = true;
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(host.Server.McpRequest(host.Authority.CreateToken()))).StatusCode);
        Assert.Equal("Healthy", await host.HealthAsync());
    }
}
