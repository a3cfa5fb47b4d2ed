using System.Net;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// Remembered tokens skip the signature check, but never outlive their expiry, their key set or their request.
/// </summary>
public sealed class ValidatedTokenCacheTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync() => _authority = await DescopeTestAuthority.StartAsync(o => o.TimeProvider = _time);

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    private Task<ProtectedMcpServer> StartAsync(Action<DescopeMcpOptions>? configure = null, Action<WebApplication>? map = null) =>
        ProtectedMcpServer.StartAsync(_authority, configure, services: s => s.AddSingleton<TimeProvider>(_time), map: map);

    private static async Task<HttpStatusCode> SendAsync(ProtectedMcpServer server, string token)
    {
        using var response = await server.Http.SendAsync(server.McpRequest(token));
        return response.StatusCode;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(ProtectedMcpServer server, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await server.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_remembered_token_stops_working_when_it_expires()
    {
        await using var server = await StartAsync();
        var token = _authority.CreateToken(t => t.ExpiresAt = _time.GetUtcNow().AddMinutes(2));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, token));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, token));

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(31));

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(server, token));
    }

    [Fact]
    public async Task Clock_skew_edges_hold_on_the_servers_clock()
    {
        await using var server = await StartAsync(o => o.ValidatedTokenCacheDuration = TimeSpan.Zero);
        var token = _authority.CreateToken(t => t.ExpiresAt = _time.GetUtcNow());

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, token));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(server, token));
    }

    [Fact]
    public async Task A_remembered_token_is_forgotten_when_its_signing_key_is_withdrawn()
    {
        await using var server = await StartAsync();
        var oldToken = _authority.CreateToken();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, oldToken));

        _authority.RotateSigningKey(retirePrevious: true);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, _authority.CreateToken()));

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(server, oldToken));
    }

    [Fact]
    public async Task Each_request_gets_its_own_principal()
    {
        await using var server = await StartAsync(map: app =>
        {
            app.MapMcp("/mcp");
            app.MapGet("/claims", (HttpContext context) =>
            {
                var count = context.User.Claims.Count();
                context.User.AddIdentity(new System.Security.Claims.ClaimsIdentity([new("injected", "1")]));
                ((System.Security.Claims.ClaimsIdentity)context.User.Identity!).AddClaim(new("added", "1"));
                return count;
            }).RequireDescopeAuthorization();
        });
        var token = _authority.CreateToken();

        var counts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            counts.Add((await GetAsync(server, "/claims", token)).Body);
        }

        Assert.Single(counts.Distinct());
    }

    [Fact]
    public async Task Neither_a_fresh_nor_a_remembered_principal_carries_the_token()
    {
        await using var server = await StartAsync(map: app =>
        {
            app.MapMcp("/mcp");
            app.MapGet("/identity", (HttpContext context) =>
            {
                var identity = (Microsoft.IdentityModel.Tokens.CaseSensitiveClaimsIdentity)context.User.Identity!;
                var token = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
                var readable = identity.SecurityToken is not null
                    || context.User.Claims.Any(c => c.Value.Contains(token, StringComparison.Ordinal))
                    || identity.BootstrapContext is not null;
                return $"{identity.IsAuthenticated} {identity.Claims.Count()} {readable}";
            }).RequireDescopeAuthorization();
        });
        var token = _authority.CreateToken();

        var answers = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var (status, body) = await GetAsync(server, "/identity", token);
            Assert.Equal(HttpStatusCode.OK, status);
            answers.Add(body);
        }

        Assert.EndsWith(" False", answers[0]);
        Assert.StartsWith("True ", answers[0]);
        Assert.Equal(answers[0], answers[1]);
    }

    [Fact]
    public async Task A_token_that_differs_by_one_character_is_validated_afresh()
    {
        await using var server = await StartAsync();
        var token = _authority.CreateToken();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(server, token));

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(server, tampered));
    }

    [Fact]
    public void Tokens_with_large_claims_are_remembered_only_up_to_the_memory_limit()
    {
        const long limit = 1024 * 1024;
        using var cache = NewCache(o => o.ValidatedTokenCacheMemoryLimit = limit);
        var keys = new OpenIdConnectConfiguration();
        var tokens = Enumerable.Range(0, 60).Select(i => _authority.CreateToken(t => t.Claims["big"] = i + new string('x', 20 * 1024))).ToList();
        foreach (var token in tokens)
        {
            cache.Remember(token, keys, IdentityOf(token), new JsonWebToken(token), boundKey: null);
        }

        var remembered = tokens.Count(token => cache.Find(token, keys, _time.GetUtcNow()) is not null);

        var weight = ValidatedTokenCache.Weigh(tokens[0], IdentityOf(tokens[0]));
        Assert.True(weight > 2 * tokens[0].Length, "an entry weighs at least its token and claim text");
        Assert.InRange(remembered, 1, (int)(limit / weight));
    }

    [Fact]
    public void At_most_the_configured_number_of_tokens_is_remembered()
    {
        using var cache = NewCache(o => o.ValidatedTokenCacheSize = 5);
        var keys = new OpenIdConnectConfiguration();
        var tokens = Enumerable.Range(0, 20).Select(i => _authority.CreateToken(t => t.Subject = "U2User" + i)).ToList();
        foreach (var token in tokens)
        {
            cache.Remember(token, keys, IdentityOf(token), new JsonWebToken(token), boundKey: null);
        }

        Assert.InRange(tokens.Count(token => cache.Find(token, keys, _time.GetUtcNow()) is not null), 1, 5);
    }

    private ValidatedTokenCache NewCache(Action<DescopeMcpOptions> configure)
    {
        var options = new DescopeMcpOptions();
        configure(options);
        return new ValidatedTokenCache(Options.Create(options), _time);
    }

    private static ClaimsIdentity IdentityOf(string token) =>
        new(new JsonWebToken(token).Claims, DescopeMcpDefaults.AuthenticationScheme);
}
