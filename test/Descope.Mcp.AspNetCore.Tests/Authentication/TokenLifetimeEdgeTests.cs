using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// <c>exp</c> and <c>nbf</c> exactly at the clock-skew boundary and one second past it, on the server's own clock. The
/// clock stands still on a whole second, as JWT times are, so "exactly" is exact; every token is validated afresh.
/// </summary>
public sealed class TokenLifetimeEdgeTests : IAsyncLifetime
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private DescopeTestAuthority _authority = null!;
    private ProtectedMcpServer _server = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.TimeProvider = _time);
        _server = await ProtectedMcpServer.StartAsync(
            _authority,
            o =>
            {
                o.ClockSkew = Skew;
                o.ValidatedTokenCacheDuration = TimeSpan.Zero;
            },
            services: s => s.AddSingleton<TimeProvider>(_time));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _authority.DisposeAsync();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private async Task AssertAcceptedAsync(string token)
    {
        using var response = await _server.Http.SendAsync(_server.McpRequest(token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertRefusedAsync(string token, string description)
    {
        using var response = await _server.Http.SendAsync(_server.McpRequest(token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var metadata = $"{_server.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp";
        Assert.Equal(
            [$"Bearer error=\"invalid_token\", error_description=\"{description}\", resource_metadata=\"{metadata}\"", Challenges.DPoP(metadata)],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_token_that_expired_exactly_one_clock_skew_ago_is_accepted() =>
        await AssertAcceptedAsync(_authority.CreateToken(t => t.ExpiresAt = Now - Skew));

    [Fact]
    public async Task A_token_that_expired_one_second_more_than_the_clock_skew_ago_is_refused() =>
        await AssertRefusedAsync(_authority.CreateToken(t => t.ExpiresAt = Now - Skew - TimeSpan.FromSeconds(1)), "The access token expired");

    [Fact]
    public async Task A_token_valid_from_exactly_one_clock_skew_ahead_is_accepted() =>
        await AssertAcceptedAsync(_authority.CreateToken(t => t.NotBefore = Now + Skew));

    [Fact]
    public async Task A_token_valid_from_one_second_beyond_the_clock_skew_is_refused() =>
        await AssertRefusedAsync(_authority.CreateToken(t => t.NotBefore = Now + Skew + TimeSpan.FromSeconds(1)), "The access token is not valid yet");

    [Fact]
    public async Task A_token_whose_validity_ends_before_it_starts_is_refused_even_within_the_clock_skew() =>
        await AssertRefusedAsync(
            _authority.CreateToken(t =>
            {
                t.NotBefore = Now + TimeSpan.FromSeconds(5);
                t.ExpiresAt = Now + TimeSpan.FromSeconds(4);
            }),
            "The access token is invalid");

    [Fact]
    public async Task The_same_token_passes_at_the_expiry_edge_and_fails_one_second_later()
    {
        var token = _authority.CreateToken(t => t.ExpiresAt = Now);

        _time.Advance(Skew);
        await AssertAcceptedAsync(token);

        _time.Advance(TimeSpan.FromSeconds(1));
        await AssertRefusedAsync(token, "The access token expired");
    }
}
