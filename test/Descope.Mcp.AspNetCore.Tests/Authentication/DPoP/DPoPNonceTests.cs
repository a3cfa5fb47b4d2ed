using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// Server nonces (RFC 9449 §9) through real HTTP: a nonce is good for <see cref="DPoPOptions.NonceLifetime"/> on the
/// server's clock, on every instance that shares the Data Protection key ring, and nowhere else.
/// </summary>
public sealed class DPoPNonceTests : McpServerTests, IDisposable
{
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TestDPoPKey _key;
    private readonly List<DirectoryInfo> _keyRings = [];

    public DPoPNonceTests() => _key = TestDPoPKey.Create(timeProvider: _time);

    public void Dispose()
    {
        _key.Dispose();
        foreach (var directory in _keyRings)
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A Data Protection key ring of its own in a new folder, as one deployment's instances would share it.</summary>
    private DirectoryInfo NewKeyRing()
    {
        var directory = Directory.CreateTempSubdirectory("dpop-nonce-keys-");
        _keyRings.Add(directory);
        return directory;
    }

    private Task<ProtectedMcpServer> StartAsync(DirectoryInfo? keyRing = null, string? mcpServerUrl = null) =>
        StartServerAsync(
            m => m.WithTools<TestTools>(),
            o =>
            {
                o.DPoP.RequireNonce = true;
                o.DPoP.NonceLifetime = NonceLifetime;
                if (mcpServerUrl is not null)
                {
                    o.McpServerUrl = mcpServerUrl;
                }
            },
            services: s =>
            {
                s.AddSingleton<TimeProvider>(_time);
                if (keyRing is not null)
                {
                    s.AddDataProtection().PersistKeysToFileSystem(keyRing).SetApplicationName("dpop-nonce-tests");
                }
            });

    private string BoundToken(ProtectedMcpServer server) => Authority.CreateToken(t =>
    {
        t.Audience = server.McpUrl;
        t.DPoPThumbprint = _key.Thumbprint;
    });

    private async Task<HttpResponseMessage> SendAsync(ProtectedMcpServer server, string token, string? nonce, string? proofUrl = null) =>
        await server.Http.SendAsync(DPoPClient.McpRequest(server, token, _key.CreateProof("POST", proofUrl ?? server.McpUrl, token, nonce)));

    /// <summary>The nonce a proof without one is answered with.</summary>
    private async Task<string> NonceAsync(ProtectedMcpServer server, string token, string? proofUrl = null)
    {
        using var response = await SendAsync(server, token, nonce: null, proofUrl);
        AssertNonceChallenge(response, server);
        return Assert.Single(response.Headers.GetValues("DPoP-Nonce"));
    }

    private static void AssertNonceChallenge(HttpResponseMessage response, ProtectedMcpServer server)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [
                $"Bearer resource_metadata=\"{MetadataUrl(server)}\"",
                Challenges.DPoP(MetadataUrl(server), error: "use_dpop_nonce", description: "The DPoP proof needs a current server nonce"),
            ],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    /// <summary>A 401 <c>use_dpop_nonce</c> with a fresh nonce, not <paramref name="refused"/>; that fresh nonce is returned.</summary>
    private static string AssertRefusedWithFreshNonce(HttpResponseMessage response, ProtectedMcpServer server, string refused)
    {
        AssertNonceChallenge(response, server);
        var fresh = Assert.Single(response.Headers.GetValues("DPoP-Nonce"));
        Assert.NotEqual(refused, fresh);
        return fresh;
    }

    [Fact]
    public async Task A_nonce_is_accepted_until_its_lifetime_ends_and_then_refused_with_a_fresh_one()
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        var nonce = await NonceAsync(server, token);

        _time.Advance(NonceLifetime - TimeSpan.FromMilliseconds(1));
        using (var accepted = await SendAsync(server, token, nonce))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var expired = await SendAsync(server, token, nonce);
        var fresh = AssertRefusedWithFreshNonce(expired, server, nonce);

        using var retried = await SendAsync(server, token, fresh);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task A_nonce_long_past_its_lifetime_is_refused()
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        var nonce = await NonceAsync(server, token);

        // Past the nonce's life but inside the proof window: only the nonce is stale.
        _time.Advance(NonceLifetime + TimeSpan.FromMinutes(1));
        using var expired = await SendAsync(server, token, nonce);

        AssertRefusedWithFreshNonce(expired, server, nonce);
    }

    [Theory]
    [InlineData("flip-first")]
    [InlineData("flip-middle")]
    [InlineData("flip-last")]
    [InlineData("truncated")]
    [InlineData("extended")]
    [InlineData("not-base64url")]
    [InlineData("oversized")]
    public async Task A_tampered_nonce_is_refused_with_a_fresh_one(string tampering)
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        var nonce = await NonceAsync(server, token);
        static char Flip(char c) => c == 'A' ? 'B' : 'A';

        // The last character may carry unused bits a decoder ignores: change its leading ones.
        static char FlipLast(char c) => c == 'A' ? 'w' : 'A';
        var tampered = tampering switch
        {
            "flip-first" => Flip(nonce[0]) + nonce[1..],
            "flip-middle" => nonce[..(nonce.Length / 2)] + Flip(nonce[nonce.Length / 2]) + nonce[(nonce.Length / 2 + 1)..],
            "flip-last" => nonce[..^1] + FlipLast(nonce[^1]),
            "truncated" => nonce[..^4],
            "extended" => nonce + "AAAA",
            "not-base64url" => nonce[..^1] + "*",
            _ => nonce + new string('A', 600),
        };

        using var refused = await SendAsync(server, token, tampered);

        AssertRefusedWithFreshNonce(refused, server, nonce);
    }

    [Fact]
    public async Task A_nonce_is_accepted_by_another_instance_sharing_the_key_ring_and_refused_by_one_with_another_key_ring()
    {
        var keyRing = NewKeyRing();
        var first = await StartAsync(keyRing);
        var sameDeployment = await StartAsync(keyRing, mcpServerUrl: first.McpUrl);
        var otherDeployment = await StartAsync(NewKeyRing(), mcpServerUrl: first.McpUrl);
        var token = BoundToken(first);
        var nonce = await NonceAsync(first, token);

        using (var shared = await SendAsync(sameDeployment, token, nonce, first.McpUrl))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        }

        using var foreign = await SendAsync(otherDeployment, token, nonce, first.McpUrl);
        // The challenge names the shared McpServerUrl's metadata, whichever instance answers.
        var fresh = AssertRefusedWithFreshNonce(foreign, first, nonce);

        // And the other way: what the other key ring issued means nothing to the first deployment.
        using var back = await SendAsync(first, token, fresh);
        AssertRefusedWithFreshNonce(back, first, fresh);
        using var own = await SendAsync(otherDeployment, token, fresh, first.McpUrl);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}
