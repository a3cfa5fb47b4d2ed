using System.Net;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.SigningKeys;

/// <summary>
/// The scheduled reload of the signing keys happens in the background: requests go on with the current keys meanwhile.
/// </summary>
public sealed class ScheduledKeyReloadTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private DescopeTestAuthority _authority = null!;
    private ProtectedMcpServer _server = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.TimeProvider = _time);
        _server = await ProtectedMcpServer.StartAsync(
            _authority,
            o => o.ValidatedTokenCacheDuration = TimeSpan.Zero,
            services: s => s.AddSingleton<TimeProvider>(_time));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _authority.DisposeAsync();
    }

    private async Task<HttpStatusCode> SendAsync(string token)
    {
        using var response = await _server.Http.SendAsync(_server.McpRequest(token));
        return response.StatusCode;
    }

    private int Loads => _server.Services.GetRequiredService<DescopeSigningKeys>().Loads;

    private async Task WaitForLoadsAsync(int count)
    {
        for (var i = 0; i < 200 && Loads < count; i++)
        {
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task A_due_reload_runs_in_the_background_and_picks_up_new_keys()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_authority.CreateToken()));
        var fetches = _authority.Requests.Jwks;
        var loads = Loads;
        var oldToken = _authority.CreateToken(t => t.ExpiresAt = _time.GetUtcNow().AddDays(1));
        _authority.RotateSigningKey(retirePrevious: true);

        _time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(oldToken));
        await WaitForLoadsAsync(loads + 1);

        Assert.Equal(fetches + 1, _authority.Requests.Jwks);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_authority.CreateToken()));
        Assert.Equal(fetches + 1, _authority.Requests.Jwks);
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(oldToken));
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_keys_and_waits_before_trying_again()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_authority.CreateToken()));
        _authority.MetadataAvailable = false;
        var attempts = _authority.Requests.Discovery;

        _time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_authority.CreateToken()));
        for (var i = 0; i < 100 && _authority.Requests.Discovery == attempts; i++)
        {
            await Task.Delay(50);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add(await SendAsync(_authority.CreateToken()));
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(attempts + 1, _authority.Requests.Discovery);
    }
}
