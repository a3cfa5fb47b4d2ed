using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>A server whose clock stands still on a whole second, so proof times can sit exactly on the window's edges.</summary>
public sealed class DPoPServerFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public DescopeTestAuthority Authority { get; private set; } = null!;

    internal ProtectedMcpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await DescopeTestAuthority.StartAsync();
        Server = await ProtectedMcpServer.StartAsync(Authority, services: s => s.AddSingleton<TimeProvider>(Time));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }
}

/// <summary>
/// Every RFC 9449 §4.3 check on a DPoP proof, each failing alone, through real HTTP: 401 with the bare <c>Bearer</c>
/// challenge and a <c>DPoP</c> challenge whose <c>invalid_dpop_proof</c> description is fixed text.
/// </summary>
public sealed class DPoPProofTests(DPoPServerFixture fixture) : IClassFixture<DPoPServerFixture>, IDisposable
{
    private readonly TestDPoPKey _key = TestDPoPKey.Create(timeProvider: fixture.Time);

    private ProtectedMcpServer Server => fixture.Server;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private string MetadataUrl => Server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp";

    public void Dispose() => _key.Dispose();

    private string BoundToken(TestDPoPKey? key = null) => fixture.Authority.CreateToken(t => t.DPoPThumbprint = (key ?? _key).Thumbprint);

    private string Proof(string token, Action<TestDPoPProofDescriptor>? configure = null, TestDPoPKey? key = null) =>
        (key ?? _key).CreateProof("POST", Server.McpUrl, token, configure: configure);

    private async Task<HttpResponseMessage> SendAsync(string token, string? proof) =>
        await Server.Http.SendAsync(DPoPClient.McpRequest(Server, token, proof));

    private async Task AssertRefusedAsync(HttpResponseMessage response, string description)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(
                [$"Bearer resource_metadata=\"{MetadataUrl}\"", Challenges.DPoP(MetadataUrl, error: "invalid_dpop_proof", description: description)],
                response.Headers.GetValues("WWW-Authenticate"));
            Assert.DoesNotContain(response.Headers, h => h.Key == "DPoP-Nonce");
            Assert.Empty(await response.Content.ReadAsStringAsync());
        }
    }

    private async Task AssertProofRefusedAsync(Action<TestDPoPProofDescriptor> tamper, string description)
    {
        var token = BoundToken();
        await AssertRefusedAsync(await SendAsync(token, Proof(token, tamper)), description);
    }

    private async Task AssertAcceptedAsync(string token, string proof)
    {
        using var response = await SendAsync(token, proof);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_request_without_a_DPoP_header_is_refused() =>
        await AssertRefusedAsync(await SendAsync(BoundToken(), proof: null), "The request has no DPoP proof");

    [Fact]
    public async Task A_request_with_two_DPoP_headers_is_refused()
    {
        var token = BoundToken();
        var request = DPoPClient.McpRequest(Server, token, Proof(token));
        request.Headers.TryAddWithoutValidation("DPoP", Proof(token));

        await AssertRefusedAsync(await Server.Http.SendAsync(request), "The request has more than one DPoP proof");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("W10.e30.c2ln")]
    public async Task A_proof_that_is_not_a_signed_JWT_is_refused(string proof) =>
        await AssertRefusedAsync(await SendAsync(BoundToken(), proof), "The DPoP proof is malformed");

    [Fact]
    public async Task An_oversized_proof_is_refused() =>
        await AssertRefusedAsync(await SendAsync(BoundToken(), new string('a', 9000) + ".e30.c2ln"), "The DPoP proof is malformed");

    [Theory]
    [InlineData("JWT")]
    [InlineData("DPOP+JWT")]
    [InlineData(null)]
    public async Task A_proof_of_another_type_is_refused(string? type) =>
        await AssertProofRefusedAsync(p => p.Type = type, "The DPoP proof has the wrong type");

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("EdDSA")]
    public async Task A_proof_with_a_symmetric_or_unknown_algorithm_is_refused(string algorithm) =>
        await AssertProofRefusedAsync(p => p.Algorithm = algorithm, "The DPoP proof is not signed with an accepted algorithm");

    [Fact]
    public async Task A_proof_with_an_algorithm_the_server_does_not_allow_is_refused()
    {
        await using var server = await ProtectedMcpServer.StartAsync(fixture.Authority, o => o.DPoP.AllowedAlgorithms.Add("ES256"));
        using var key = TestDPoPKey.Create("PS256");
        var token = fixture.Authority.CreateToken(t => { t.Audience = server.McpUrl; t.DPoPThumbprint = key.Thumbprint; });
        var metadata = server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp";

        using var response = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, key.CreateProof("POST", server.McpUrl, token)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [
                $"Bearer resource_metadata=\"{metadata}\"",
                Challenges.DPoP(metadata, error: "invalid_dpop_proof", description: "The DPoP proof is not signed with an accepted algorithm", algs: "ES256"),
            ],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_proof_without_a_key_is_refused() =>
        await AssertProofRefusedAsync(p => p.OmitKey = true, "The DPoP proof key is missing or unusable");

    [Fact]
    public async Task A_proof_whose_key_carries_its_private_part_is_refused() =>
        await AssertProofRefusedAsync(p => p.IncludePrivateKey = true, "The DPoP proof key is missing or unusable");

    [Fact]
    public async Task A_proof_whose_key_does_not_fit_its_algorithm_is_refused() =>
        await AssertProofRefusedAsync(p => p.Algorithm = "RS256", "The DPoP proof key is missing or unusable");

    [Fact]
    public async Task A_proof_with_a_symmetric_key_is_refused() =>
        await AssertProofRefusedAsync(p => p.Header["jwk"] = new Dictionary<string, string> { ["kty"] = "oct", ["k"] = "c2VjcmV0" }, "The DPoP proof key is missing or unusable");

    [Fact]
    public async Task A_proof_signed_by_another_key_than_its_header_names_is_refused()
    {
        using var other = TestDPoPKey.Create();
        await AssertProofRefusedAsync(p => p.SignWith = other, "The DPoP proof signature is invalid");
    }

    [Fact]
    public async Task A_proof_with_a_critical_header_is_refused() =>
        await AssertProofRefusedAsync(p => p.Header["crit"] = new[] { "exp" }, "The DPoP proof is malformed");

    [Fact]
    public async Task A_proof_that_names_a_claim_twice_is_refused()
    {
        var token = BoundToken();
        var proof = Proof(token);
        var parts = proof.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        var doubled = payload.Replace("\"htm\":\"POST\"", "\"htm\":\"POST\",\"htm\":\"GET\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, doubled);

        await AssertRefusedAsync(
            await SendAsync(token, parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(doubled) + "." + parts[2]),
            "The DPoP proof is malformed");
    }

    [Theory]
    [InlineData("jti")]
    [InlineData("htm")]
    [InlineData("htu")]
    [InlineData("iat")]
    public async Task A_proof_without_a_required_claim_is_refused(string claim) =>
        await AssertProofRefusedAsync(p => p.Claims[claim] = null, "The DPoP proof lacks a required claim");

    [Theory]
    [InlineData("GET")]
    [InlineData("post")]
    [InlineData("PUT")]
    public async Task A_proof_for_another_method_is_refused(string method) =>
        await AssertProofRefusedAsync(p => p.Method = method, "The DPoP proof is for another HTTP method");

    [Theory]
    [InlineData("http://evil.example/mcp")]
    [InlineData("https://127.0.0.1/mcp")]
    [InlineData("/mcp")]
    [InlineData("not a url")]
    public async Task A_proof_for_another_origin_is_refused(string url) =>
        await AssertProofRefusedAsync(p => p.Url = url, "The DPoP proof is for another URL");

    [Theory]
    [InlineData("/other")]
    [InlineData("/mcp/")]
    [InlineData("/MCP")]
    public async Task A_proof_for_another_path_is_refused(string path) =>
        await AssertProofRefusedAsync(p => p.Url = Server.BaseAddress.AbsoluteUri.TrimEnd('/') + path, "The DPoP proof is for another URL");

    [Theory]
    [InlineData("?session=1")]
    [InlineData("#part")]
    [InlineData("?a=b#c")]
    public async Task A_proof_url_with_a_query_or_fragment_is_compared_without_them(string suffix)
    {
        var token = BoundToken();
        await AssertAcceptedAsync(token, Proof(token, p => p.Url = Server.McpUrl + suffix));
    }

    [Fact]
    public async Task A_proof_url_is_compared_after_normalization()
    {
        var token = BoundToken();
        var url = Server.McpUrl.Replace("http://", "HTTP://", StringComparison.Ordinal).Replace("/mcp", ":" + Server.BaseAddress.Port + "/x/../mcp", StringComparison.Ordinal)
            .Replace(":" + Server.BaseAddress.Port + ":", ":", StringComparison.Ordinal);
        await AssertAcceptedAsync(token, Proof(token, p => p.Url = url));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86400)]
    [InlineData(86400 * 365)]
    public async Task A_proof_issued_outside_the_five_minute_window_is_refused(int seconds) =>
        await AssertProofRefusedAsync(p => p.IssuedAt = Now.AddSeconds(seconds), "The DPoP proof is too old or from the future");

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    public async Task A_proof_issued_on_the_window_edges_is_accepted(int seconds)
    {
        var token = BoundToken();
        await AssertAcceptedAsync(token, Proof(token, p => p.IssuedAt = Now.AddSeconds(seconds)));
    }

    [Theory]
    [InlineData(-1e300)]
    [InlineData(1e300)]
    public async Task A_proof_with_an_absurd_iat_is_refused(double iat) =>
        await AssertProofRefusedAsync(p => p.Claims["iat"] = iat, "The DPoP proof is too old or from the future");

    [Fact]
    public async Task A_proof_without_an_access_token_hash_is_refused() =>
        await AssertProofRefusedAsync(p => p.AccessTokenHash = null, "The DPoP proof is not for this access token");

    [Fact]
    public async Task A_proof_for_another_access_token_is_refused()
    {
        var token = BoundToken();
        var other = fixture.Authority.CreateToken(t => { t.DPoPThumbprint = _key.Thumbprint; t.Subject = "U2Other"; });
        await AssertRefusedAsync(await SendAsync(token, Proof(other)), "The DPoP proof is not for this access token");
    }

    [Fact]
    public async Task A_proof_by_a_key_the_token_is_not_bound_to_is_refused()
    {
        using var other = TestDPoPKey.Create(timeProvider: fixture.Time);
        var token = BoundToken();
        await AssertRefusedAsync(await SendAsync(token, Proof(token, key: other)), "The access token is bound to another key");
    }

    [Fact]
    public async Task A_proof_used_a_second_time_is_refused()
    {
        var token = BoundToken();
        var proof = Proof(token);
        await AssertAcceptedAsync(token, proof);

        // The token is remembered now: the replay is caught on that path too.
        await AssertRefusedAsync(await SendAsync(token, proof), "The DPoP proof was already used");
    }

    [Fact]
    public async Task Two_proofs_with_one_jti_are_one_proof()
    {
        var token = BoundToken();
        await AssertAcceptedAsync(token, Proof(token, p => p.Jti = "same-jti"));
        await AssertRefusedAsync(await SendAsync(token, Proof(token, p => { p.Jti = "same-jti"; p.IssuedAt = Now.AddSeconds(-1); })), "The DPoP proof was already used");
    }

    [Fact]
    public async Task A_remembered_bound_token_still_needs_a_fresh_valid_proof_on_every_request()
    {
        var token = BoundToken();
        await AssertAcceptedAsync(token, Proof(token));
        await AssertAcceptedAsync(token, Proof(token));

        await AssertRefusedAsync(await SendAsync(token, proof: null), "The request has no DPoP proof");
        await AssertRefusedAsync(await SendAsync(token, Proof(token, p => p.Method = "GET")), "The DPoP proof is for another HTTP method");
    }

    [Fact]
    public async Task A_remembered_bound_token_is_refused_with_a_proof_by_another_key()
    {
        using var other = TestDPoPKey.Create(timeProvider: fixture.Time);
        var token = BoundToken();

        // Accepted once, the token is remembered: the key it binds must come with it.
        await AssertAcceptedAsync(token, Proof(token));

        await AssertRefusedAsync(await SendAsync(token, Proof(token, key: other)), "The access token is bound to another key");
        await AssertAcceptedAsync(token, Proof(token));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    [InlineData("RS256")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    public async Task A_valid_proof_with_each_supported_algorithm_is_accepted(string algorithm)
    {
        using var key = TestDPoPKey.Create(algorithm, fixture.Time);
        var token = BoundToken(key);
        await AssertAcceptedAsync(token, key.CreateProof("POST", Server.McpUrl, token));
    }

    [Fact]
    public async Task The_DPoP_scheme_name_is_case_insensitive()
    {
        var token = BoundToken();
        var request = Server.McpRequest(token: null);
        request.Headers.TryAddWithoutValidation("Authorization", "dpop " + token);
        request.Headers.TryAddWithoutValidation("DPoP", Proof(token));

        using var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_empty_DPoP_authorization_gets_the_bare_challenges()
    {
        var request = Server.McpRequest(token: null);
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP    ");

        using var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([$"Bearer resource_metadata=\"{MetadataUrl}\"", Challenges.DPoP(MetadataUrl)], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task An_invalid_token_under_the_DPoP_scheme_is_answered_on_the_DPoP_challenge()
    {
        var token = fixture.Authority.CreateToken(t => { t.DPoPThumbprint = _key.Thumbprint; t.ExpiresAt = Now.AddHours(-1); });

        using var response = await SendAsync(token, Proof(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [$"Bearer resource_metadata=\"{MetadataUrl}\"", Challenges.DPoP(MetadataUrl, error: "invalid_token", description: "The access token expired")],
            response.Headers.GetValues("WWW-Authenticate"));
    }
}
