using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Descope.Mcp.AspNetCore.Tests.TokenExchange;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Callers;

/// <summary>
/// A caller whose token was valid when the request was authenticated and has expired by the time the tool asks for a
/// token: the call had a caller, so it is refused, and the management key is never used in the caller's place.
/// </summary>
public sealed class ExpiredCallerTests
{
    private const string ManagementKey = "K2test";
    private const string Bob = "U2Bob";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_named_users_token_asked_for_with_the_management_key_by_a_caller_whose_token_expired_is_refused_and_the_key_never_sent()
    {
        await using var host = await StartExpiringAsync();
        host.Vault.AddUserConnection(Calendar, Bob, [CalendarScope]);
        var client = await host.ConnectWithAsync(ShortLivedToken(host));
        host.Probe.Entering = ExpireTheCallersToken;

        var error = ErrorText(await CallAsync(client, "user_token_for", new { appId = Calendar, userId = Bob, useManagementKey = true }));

        AssertRefusedWithoutDescope(host, error, ConnectionTokenFailure.CallerTokenInvalid);
    }

    [Fact]
    public async Task A_tenant_token_asked_for_with_the_management_key_by_a_caller_whose_token_expired_is_refused_and_the_key_never_sent()
    {
        await using var host = await StartExpiringAsync();
        host.Vault.AddTenantConnection("slack", "T1", ["chat:write"]);
        var client = await host.ConnectWithAsync(ShortLivedToken(host));
        host.Probe.Entering = ExpireTheCallersToken;

        var error = ErrorText(await CallAsync(client, "tenant_token", new { appId = "slack", tenantId = "T1", useManagementKey = true }));

        AssertRefusedWithoutDescope(host, error, ConnectionTokenFailure.CallerTokenInvalid);
    }

    [Fact]
    public async Task The_callers_own_token_for_a_caller_whose_token_expired_is_refused_with_the_same_failure()
    {
        await using var host = await StartExpiringAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectWithAsync(ShortLivedToken(host));
        host.Probe.Entering = ExpireTheCallersToken;

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        AssertRefusedWithoutDescope(host, error, ConnectionTokenFailure.CallerTokenInvalid);
    }

    [Fact]
    public async Task A_connect_url_for_a_caller_whose_token_expired_is_refused_with_the_same_failure()
    {
        await using var host = await StartExpiringAsync();
        var client = await host.ConnectWithAsync(ShortLivedToken(host));
        host.Probe.Entering = ExpireTheCallersToken;

        var error = ErrorText(await CallAsync(client, "connect_url", new { appId = Calendar }));

        AssertRefusedWithoutDescope(host, error, ConnectionTokenFailure.CallerTokenInvalid);
    }

    [Fact]
    public async Task A_token_exchange_for_a_caller_whose_token_expired_is_refused_as_an_invalid_grant_without_asking_Descope()
    {
        await using var host = await TokenExchangeTests.StartExchangeHostAsync(
            o => o.ManagementKey = ManagementKey,
            services: s => s.AddSingleton<TimeProvider>(_clock));
        var client = await host.ConnectWithAsync(ShortLivedToken(host));
        host.Probe.Entering = ExpireTheCallersToken;

        var error = ErrorText(await CallAsync(client, "exchange", new { audience = "calendar-api" }));

        var refused = Assert.IsType<TokenExchangeException>(host.Probe.LastFailure);
        Assert.Equal(TokenExchangeFailure.InvalidGrant, refused.Failure);
        Assert.Contains("Sign in again", error, StringComparison.Ordinal);
        Assert.Empty(host.Authority.TokenExchange.Requests);
    }

    [Fact]
    public async Task A_caller_whose_token_is_still_valid_is_answered_with_its_own_token_not_the_management_key()
    {
        await using var host = await StartExpiringAsync();
        host.Vault.AddTenantConnection("slack", "T1", ["chat:write"]);
        var accessToken = ShortLivedToken(host);
        var client = await host.ConnectWithAsync(accessToken);
        host.Probe.Entering = () => _clock.Advance(TimeSpan.FromMinutes(1));

        Text(await CallAsync(client, "tenant_token", new { appId = "slack", tenantId = "T1", useManagementKey = true }));

        Assert.Equal($"Bearer {host.Authority.ProjectId}:{accessToken}", Assert.Single(host.Vault.Requests).Authorization);
    }

    private async Task<ConnectionTestHost> StartExpiringAsync()
    {
        var host = await StartAsync(o => o.ManagementKey = ManagementKey, s => s.AddSingleton<TimeProvider>(_clock));
        host.Vault.ManagementKey = ManagementKey;
        return host;
    }

    /// <summary>A token of a member of tenant T1 that lives two minutes on the server's clock.</summary>
    private string ShortLivedToken(ConnectionTestHost host) => host.AccessToken(configure: t =>
    {
        t.ExpiresAt = _clock.GetUtcNow().AddMinutes(2);
        t.Claims["dct"] = "T1";
    });

    // Past the token's expiry and the clock skew, after the request was authenticated and before the tool asks.
    private void ExpireTheCallersToken() => _clock.Advance(TimeSpan.FromMinutes(5));

    private static void AssertRefusedWithoutDescope(ConnectionTestHost host, string error, ConnectionTokenFailure failure)
    {
        var refused = Assert.IsType<ConnectionTokenException>(host.Probe.LastFailure);
        Assert.Equal(failure, refused.Failure);
        Assert.Contains("Sign in again", error, StringComparison.Ordinal);
        Assert.Empty(host.Vault.Requests);
    }
}
