using System.Net;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Diagnostics;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// The DPoP boundary under attack, through real HTTP: nothing is stored for a request that is refused, malformed proofs
/// are refused as proofs (never a 500 or an error log), a binding the server cannot verify is refused rather than
/// ignored, nonces hold only at the server and for the key they were issued to, and <c>htu</c> with user information
/// names no URL of this server.
/// </summary>
public sealed class DPoPBoundaryTests : McpServerTests, IDisposable
{
    private const string MalformedProof = "The DPoP proof is malformed";

    private readonly TestDPoPKey _key = TestDPoPKey.Create();

    public void Dispose() => _key.Dispose();

    private Task<ProtectedMcpServer> StartAsync(Action<DescopeMcpOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        StartServerAsync(m => m.WithTools<TestTools>(), configure, services: services);

    private string BoundToken(ProtectedMcpServer server, TestDPoPKey? key = null) => Authority.CreateToken(t =>
    {
        t.Audience = server.McpUrl;
        t.DPoPThumbprint = (key ?? _key).Thumbprint;
    });

    private static async Task<HttpResponseMessage> SendAsync(ProtectedMcpServer server, string token, string? proof) =>
        await server.Http.SendAsync(DPoPClient.McpRequest(server, token, proof));

    private static async Task AssertProofRefusedAsync(HttpResponseMessage response, ProtectedMcpServer server, string description)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(
                [$"Bearer resource_metadata=\"{MetadataUrl(server)}\"", Challenges.DPoP(MetadataUrl(server), error: "invalid_dpop_proof", description: description)],
                response.Headers.GetValues("WWW-Authenticate"));
            Assert.Empty(await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task AssertOkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static DPoPReplayCache Replays(ProtectedMcpServer server) => server.Services.GetRequiredService<DPoPReplayCache>();

    // 1. Nothing is stored before the token is valid.

    [Fact]
    public async Task A_jti_seen_only_with_a_refused_token_is_still_accepted_with_a_valid_token()
    {
        var server = await StartAsync();

        // A self-signed proof whose ath is the hash of a token that is no token: the proof itself is valid.
        using (var refused = await SendAsync(server, "x", _key.CreateProof("POST", server.McpUrl, "x", configure: p => p.Jti = "seen-with-a-refused-token")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var token = BoundToken(server);
        await AssertOkAsync(await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token, configure: p => p.Jti = "seen-with-a-refused-token")));
    }

    [Fact]
    public async Task Refused_requests_with_valid_proofs_leave_nothing_in_the_replay_store()
    {
        var server = await StartAsync();
        using var other = TestDPoPKey.Create();
        var expired = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.DPoPThumbprint = _key.Thumbprint;
            t.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        var unbound = Authority.CreateToken(t => t.Audience = server.McpUrl);
        var boundToOther = BoundToken(server, other);
        var before = Replays(server).LocalCount;

        for (var i = 0; i < 20; i++)
        {
            foreach (var token in new[] { "not-a-token-" + i, expired, unbound, boundToOther })
            {
                using var response = await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token));
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        Assert.Equal(before, Replays(server).LocalCount);

        var valid = BoundToken(server);
        await AssertOkAsync(await SendAsync(server, valid, _key.CreateProof("POST", server.McpUrl, valid)));
        Assert.Equal(before + 1, Replays(server).LocalCount);
    }

    [Fact]
    public async Task The_token_validator_uses_up_a_jti_only_for_a_valid_token_bound_to_the_proof_key()
    {
        var server = await StartAsync();
        var validator = server.Services.GetRequiredService<IDescopeTokenValidator>();
        var url = new Uri(server.McpUrl);

        var refused = await validator.ValidateDPoPTokenAsync("x", new DescopeDPoPProof(_key.CreateProof("POST", server.McpUrl, "x", configure: p => p.Jti = "validator-jti"), "POST", url));
        Assert.False(refused.IsValid);

        var token = BoundToken(server);
        var accepted = await validator.ValidateDPoPTokenAsync(token, new DescopeDPoPProof(_key.CreateProof("POST", server.McpUrl, token, configure: p => p.Jti = "validator-jti"), "POST", url));
        Assert.True(accepted.IsValid);

        var replayed = await validator.ValidateDPoPTokenAsync(token, new DescopeDPoPProof(_key.CreateProof("POST", server.McpUrl, token, configure: p => p.Jti = "validator-jti"), "POST", url));
        Assert.Equal(DescopeTokenFailure.InvalidDPoPProof, replayed.Failure);
    }

    // 2. Malformed proofs are refused as proofs.

    /// <summary>Proofs whose encoding .NET's base64url decoder throws on, or whose key members are no key.</summary>
    public static TheoryData<string, string> MalformedProofs()
    {
        static string Part(string json) => Base64UrlEncoder.Encode(json);
        const string Header = """{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"A","y":"A"}}""";
        return new TheoryData<string, string>
        {
            { "a.b.c", MalformedProof },
            { "eyJ.eyJ.A", MalformedProof },
            { "e30.e31.c2ln", MalformedProof },
            { Part("{}") + "." + Part("{}") + ".c2lnB", MalformedProof },
            { Part("""{"typ":"dpop+jwt","typ":"dpop+jwt","alg":"ES256"}""") + "." + Part("{}") + ".c2ln", MalformedProof },
            { Part("""{"typ":"dpop+jwt","alg":"ES256"} x""") + "." + Part("{}") + ".c2ln", MalformedProof },
            { Part(Header) + "." + Part("""{"jti":"j","htm":"POST","htu":"https://x/mcp","iat":1}""") + ".c2ln", "The DPoP proof key is missing or unusable" },
            { Part(Header.Replace("\"A\"", "\"AB\"", StringComparison.Ordinal)) + "." + Part("{}") + ".c2ln", "The DPoP proof key is missing or unusable" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedProofs))]
    public async Task A_malformed_proof_with_a_good_token_is_refused_as_a_proof_audited_and_counted_without_an_error_log(string proof, string description)
    {
        await using var host = await ObservedServer.StartAsync();
        await host.KeysLoadedAsync();
        using var proofs = host.Collect<long>("descope.mcp.dpop.proofs");
        var token = host.Authority.CreateToken(t => t.DPoPThumbprint = _key.Thumbprint);

        using (var response = await SendAsync(host.Server, token, proof))
        {
            // This server advertises scopes, so its challenges carry them: the DPoP one names the proof's fault.
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var dpop = Assert.Single(response.Headers.GetValues("WWW-Authenticate"), v => v.StartsWith("DPoP ", StringComparison.Ordinal));
            Assert.Contains($"error=\"invalid_dpop_proof\", error_description=\"{description}\"", dpop, StringComparison.Ordinal);
        }

        Assert.NotEmpty(proofs.GetMeasurementSnapshot());
        Assert.DoesNotContain(proofs.GetMeasurementSnapshot(), m => (string?)m.Tags["descope.outcome"] == "valid");
        Assert.Contains(host.Audit, e => e.Message.StartsWith("DPoP proof refused", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("eyJ.eyJ.A")]
    [InlineData("e30.e31.c2ln")]
    public async Task The_token_validator_refuses_a_malformed_proof_without_throwing(string proof)
    {
        var server = await StartAsync();
        var validator = server.Services.GetRequiredService<IDescopeTokenValidator>();

        var result = await validator.ValidateDPoPTokenAsync(BoundToken(server), new DescopeDPoPProof(proof, "POST", new Uri(server.McpUrl)));

        Assert.Equal(DescopeTokenFailure.InvalidDPoPProof, result.Failure);
    }

    // 4. A binding the server cannot verify is refused, never ignored.

    public static TheoryData<string, object> UnverifiableBindings() => new()
    {
        { "cnf a string", "bound" },
        { "cnf empty", new Dictionary<string, object>() },
        { "jkt an array", new Dictionary<string, object> { ["jkt"] = new[] { "a" } } },
        { "jkt a number", new Dictionary<string, object> { ["jkt"] = 5 } },
        { "jkt empty", new Dictionary<string, object> { ["jkt"] = "" } },
        { "jwk", new Dictionary<string, object> { ["jwk"] = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = "AA", ["y"] = "AA" } } },
        { "mTLS x5t#S256", new Dictionary<string, object> { ["x5t#S256"] = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" } },
        { "jkt beside x5t#S256", new Dictionary<string, object> { ["jkt"] = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", ["x5t#S256"] = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" } },
    };

    [Theory]
    [MemberData(nameof(UnverifiableBindings))]
    public async Task A_token_with_a_binding_the_server_cannot_verify_is_refused_as_a_bearer_token(string binding, object cnf)
    {
        Assert.NotNull(binding);
        var server = await StartAsync();
        var token = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.Claims["cnf"] = cnf;
        });

        using var response = await server.Http.SendAsync(server.McpRequest(token));

        AssertUnverifiableBinding(response, server);
    }

    [Fact]
    public async Task A_token_that_names_its_key_twice_is_refused_even_with_a_proof_of_the_first()
    {
        var server = await StartAsync();
        using var other = TestDPoPKey.Create();
        var cnf = JsonDocument.Parse($$"""{"jkt":"{{_key.Thumbprint}}","jkt":"{{other.Thumbprint}}"}""").RootElement;
        var token = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.Claims["cnf"] = cnf;
        });

        using var withFirst = await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token));
        AssertUnverifiableBinding(withFirst, server, dpop: true);
        using var asBearer = await server.Http.SendAsync(server.McpRequest(token));
        AssertUnverifiableBinding(asBearer, server);
    }

    private static void AssertUnverifiableBinding(HttpResponseMessage response, ProtectedMcpServer server, bool dpop = false)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        const string Description = "The access token is bound in a way this resource cannot verify";
        var metadata = MetadataUrl(server);
        Assert.Equal(
            dpop
                ? [$"Bearer resource_metadata=\"{metadata}\"", Challenges.DPoP(metadata, error: "invalid_token", description: Description)]
                : [$"Bearer error=\"invalid_token\", error_description=\"{Description}\", resource_metadata=\"{metadata}\"", Challenges.DPoP(metadata)],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    // 5. Nonces are bound to their server and their key.

    private async Task<ProtectedMcpServer> StartWithNoncesAsync(IDataProtectionProvider keyRing, string? mcpServerUrl = null) =>
        await StartAsync(
            o =>
            {
                o.DPoP.RequireNonce = true;
                if (mcpServerUrl is not null)
                {
                    o.McpServerUrl = mcpServerUrl;
                }
            },
            s => s.AddSingleton(keyRing));

    private static async Task<string> NonceAsync(ProtectedMcpServer server, string token, TestDPoPKey key, string? proofUrl = null)
    {
        using var response = await SendAsync(server, token, key.CreateProof("POST", proofUrl ?? server.McpUrl, token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("DPoP-Nonce"));
    }

    private static async Task AssertNonceRefusedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("error=\"use_dpop_nonce\"", string.Join(' ', response.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
            Assert.Single(response.Headers.GetValues("DPoP-Nonce"));
            Assert.Empty(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_nonce_issued_by_another_server_on_the_same_key_ring_is_refused()
    {
        var keyRing = new EphemeralDataProtectionProvider();
        var first = await StartWithNoncesAsync(keyRing);
        var second = await StartWithNoncesAsync(keyRing);
        var firstToken = BoundToken(first);
        var secondToken = BoundToken(second);
        var nonce = await NonceAsync(first, firstToken, _key);

        // Each server's own nonce works at that server: the key ring is shared, only the purpose differs.
        await AssertOkAsync(await SendAsync(first, firstToken, _key.CreateProof("POST", first.McpUrl, firstToken, nonce)));
        await AssertNonceRefusedAsync(await SendAsync(second, secondToken, _key.CreateProof("POST", second.McpUrl, secondToken, nonce)));
        var own = await NonceAsync(second, secondToken, _key);
        await AssertOkAsync(await SendAsync(second, secondToken, _key.CreateProof("POST", second.McpUrl, secondToken, own)));
    }

    [Fact]
    public async Task A_nonce_issued_for_one_proof_key_is_refused_in_a_proof_by_another()
    {
        var server = await StartWithNoncesAsync(new EphemeralDataProtectionProvider());
        using var other = TestDPoPKey.Create();
        var nonce = await NonceAsync(server, BoundToken(server), _key);
        var otherToken = BoundToken(server, other);

        await AssertNonceRefusedAsync(await SendAsync(server, otherToken, other.CreateProof("POST", server.McpUrl, otherToken, nonce)));
        var token = BoundToken(server);
        await AssertOkAsync(await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token, nonce)));
    }

    [Theory]
    [InlineData("=")]
    [InlineData("==")]
    public async Task A_padded_nonce_is_refused(string padding)
    {
        var server = await StartWithNoncesAsync(new EphemeralDataProtectionProvider());
        var token = BoundToken(server);
        var nonce = await NonceAsync(server, token, _key);

        await AssertNonceRefusedAsync(await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token, nonce + padding)));
        await AssertOkAsync(await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token, nonce)));
    }

    // 7. htu with user information.

    [Theory]
    [InlineData("evil@")]
    [InlineData("evil:secret@")]
    [InlineData("@")]
    public async Task A_proof_whose_htu_carries_user_information_is_refused(string userInfo)
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        var url = new Uri(server.McpUrl);
        var htu = $"{url.Scheme}://{userInfo}{url.Authority}{url.AbsolutePath}";

        await AssertProofRefusedAsync(await SendAsync(server, token, _key.CreateProof("POST", htu, token)), server, "The DPoP proof is for another URL");
        await AssertOkAsync(await SendAsync(server, token, _key.CreateProof("POST", server.McpUrl, token)));
    }

    [Fact]
    public void The_proof_encoding_cases_decode_to_what_they_claim()
    {
        // "e31" ends in a character whose low bits are not zero, and "c2lnB" is one character past a whole group.
        Assert.Throws<FormatException>(() => System.Buffers.Text.Base64Url.DecodeFromChars("e31"));
        Assert.Throws<FormatException>(() => System.Buffers.Text.Base64Url.DecodeFromChars("c2lnB"));
        Assert.Equal("{}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars("e30")));
    }
}
