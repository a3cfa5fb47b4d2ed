using System.Diagnostics;
using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.SigningKeys;

/// <summary>
/// Loading, refreshing and surviving the loss of the project's signing keys.
/// </summary>
public sealed class SigningKeyTests : AuthorityAndServerFixture
{
    private async Task<HttpStatusCode> SendAsync(string token, ProtectedMcpServer? server = null)
    {
        server ??= Server;
        using var response = await server.Http.SendAsync(server.McpRequest(token));
        return response.StatusCode;
    }

    /// <summary>A server started while the authority is down: its startup load of the keys has failed.</summary>
    private async Task<ProtectedMcpServer> ColdServerAsync(Action<DescopeMcpOptions>? configure = null, TimeProvider? time = null)
    {
        Authority.MetadataAvailable = false;
        return await ProtectedMcpServer.StartAsync(Authority, configure, services: s =>
        {
            if (time is not null)
            {
                s.AddSingleton(time);
            }
        });
    }

    private string TokenFor(ProtectedMcpServer server) => Authority.CreateToken(t => t.Audience = server.McpUrl);

    [Fact]
    public async Task A_flood_of_unknown_key_ids_causes_at_most_one_key_set_fetch_per_refresh_interval()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        var fetchesBefore = Authority.Requests.Jwks;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            SendAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.UntrustedKey))));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.InRange(Authority.Requests.Jwks - fetchesBefore, 0, 1);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
    }

    [Fact]
    public async Task A_token_signed_with_a_rotated_key_passes_after_one_refresh()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        var fetchesBefore = Authority.Requests.Jwks;

        Authority.RotateSigningKey();
        var status = await SendAsync(Authority.CreateToken());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, Authority.Requests.Jwks - fetchesBefore);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        Assert.Equal(1, Authority.Requests.Jwks - fetchesBefore);
    }

    private static string InvalidSignature(ProtectedMcpServer server) =>
        $"Bearer error=\"invalid_token\", error_description=\"The access token signature is invalid\", resource_metadata=\"{server.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp\"";

    private async Task AssertInvalidSignatureAsync(string token)
    {
        using var response = await Server.Http.SendAsync(Server.McpRequest(token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [InvalidSignature(Server), Challenges.DPoP($"{Server.BaseAddress.AbsoluteUri.TrimEnd('/')}/.well-known/oauth-protected-resource/mcp")],
            response.Headers.GetValues("WWW-Authenticate"));
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_reload_that_still_lacks_the_unknown_kid_gives_401_and_is_not_repeated_for_the_next_one()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        var fetchesBefore = Authority.Requests.Jwks;

        await AssertInvalidSignatureAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.UntrustedKey));
        Assert.Equal(1, Authority.Requests.Jwks - fetchesBefore);

        for (var i = 0; i < 3; i++)
        {
            await AssertInvalidSignatureAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.UntrustedKey));
        }

        Assert.Equal(1, Authority.Requests.Jwks - fetchesBefore);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
    }

    [Fact]
    public async Task A_failed_reload_after_an_unknown_kid_gives_401_not_503_and_is_attempted_once()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        var attemptsBefore = Authority.Requests.Discovery;
        Authority.MetadataAvailable = false;
        Authority.RotateSigningKey();

        await AssertInvalidSignatureAsync(Authority.CreateToken());
        Assert.Equal(1, Authority.Requests.Discovery - attemptsBefore);

        // The next reload waits for the refresh interval, even once the authority is back.
        await AssertInvalidSignatureAsync(Authority.CreateToken());
        Authority.MetadataAvailable = true;
        await AssertInvalidSignatureAsync(Authority.CreateToken());
        Assert.Equal(1, Authority.Requests.Discovery - attemptsBefore);
    }

    [Fact]
    public async Task Authority_down_at_cold_start_gives_503_with_retry_after_and_recovers()
    {
        await using var server = await ColdServerAsync();

        using (var response = await server.Http.SendAsync(server.McpRequest(TokenFor(server))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
            Assert.False(response.Headers.Contains("WWW-Authenticate"));
        }

        Authority.MetadataAvailable = true;
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(TokenFor(server), server));
    }

    [Fact]
    public async Task While_no_keys_were_ever_loaded_the_server_asks_the_authority_at_most_once_a_second()
    {
        // Requests and the startup loader's retries together.
        await using var server = await ColdServerAsync();
        var before = Authority.Requests.Discovery;
        var clock = Stopwatch.StartNew();

        for (var round = 0; round < 3; round++)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync(TokenFor(server), server)));
            Assert.All(statuses, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
            await Task.Delay(TimeSpan.FromSeconds(0.6));
        }

        var fetches = Authority.Requests.Discovery - before;
        Assert.InRange(fetches, 1, 1 + (int)clock.Elapsed.TotalSeconds);
    }

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("not-a-jwt")]
    public async Task Authority_down_at_cold_start_still_refuses_a_malformed_token_as_such(string token)
    {
        // Time stands still, so the startup loader's retry cannot land inside the request.
        await using var server = await ColdServerAsync(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var attempts = Authority.Requests.Discovery;

        using var response = await server.Http.SendAsync(server.McpRequest(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error_description=\"The access token is malformed\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(attempts, Authority.Requests.Discovery);
    }

    [Fact]
    public async Task A_hanging_authority_at_cold_start_gives_503_once_the_backchannel_timeout_passes()
    {
        Authority.MetadataDelay = TimeSpan.FromMinutes(5);
        await using var server = await ProtectedMcpServer.StartAsync(Authority, o => o.BackchannelTimeout = TimeSpan.FromSeconds(1));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();

        using var response = await http.SendAsync(server.McpRequest(Authority.CreateToken(t => t.Audience = server.McpUrl)));

        clock.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        // The 503 waits for the one-second backchannel timeout, and not much longer: never for the hanging authority.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Authority_down_at_cold_start_still_answers_401_to_requests_without_a_token()
    {
        await using var server = await ColdServerAsync();

        using var response = await server.Http.SendAsync(server.McpRequest(token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Authority_down_after_a_warm_start_keeps_validating_with_cached_keys()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        Authority.MetadataAvailable = false;

        // An unknown kid forces a refresh attempt, which fails; the cached keys must survive it.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.UntrustedKey)));

        Assert.Equal(HttpStatusCode.OK, await SendAsync(Authority.CreateToken()));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-5))));
    }
}
