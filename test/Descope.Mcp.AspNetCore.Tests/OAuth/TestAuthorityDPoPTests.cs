using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.AuthorizationRequests;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// DPoP (RFC 9449) at the test authority through raw HTTP, as a DPoP client's OAuth library uses it: proofs at the token
/// endpoint, the use_dpop_nonce round trip, DPoP-bound tokens, codes bound with dpop_jkt and bound refresh tokens.
/// </summary>
public sealed class TestAuthorityDPoPTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private const string Resource = "https://mcp.example.test/mcp";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TestDPoPKey _key;
    private readonly TestDPoPKey _otherKey;
    private DescopeTestAuthority _authority = null!;

    public TestAuthorityDPoPTests()
    {
        _key = TestDPoPKey.Create("ES256", _time);
        _otherKey = TestDPoPKey.Create("ES256", _time);
    }

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.TimeProvider = _time);
        _authority.AddUser("U2Alice", user => user.Scopes.Add("calendar.read"));
        _authority.SignedInUser = "U2Alice";
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task A_token_request_with_two_DPoP_headers_is_invalid_dpop_proof_and_leaves_the_code()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);

        using var response = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint), _key.CreateProof("POST", _authority.TokenEndpoint));

        await AssertErrorAsync(response, "invalid_dpop_proof");
        Assert.Equal("DPoP", (string?)(await RedeemWithDPoPAsync(client, code, verifier, _key))["token_type"]);
    }

    [Theory]
    [InlineData("typ JWT")]
    [InlineData("alg none")]
    [InlineData("alg HS256")]
    [InlineData("htm GET")]
    [InlineData("htu of another endpoint")]
    [InlineData("iat six minutes ago")]
    [InlineData("iat six minutes ahead")]
    [InlineData("no jwk")]
    [InlineData("private key in jwk")]
    [InlineData("signed by another key")]
    [InlineData("no jti")]
    public async Task A_proof_that_fails_a_check_of_RFC_9449_is_invalid_dpop_proof_and_issues_nothing(string tampering)
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var nonce = await NonceAsync(client);

        using var response = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint, nonce: nonce, configure: Tamper(tampering)));

        var error = await AssertErrorAsync(response, "invalid_dpop_proof");
        Assert.DoesNotContain("eyJ", error.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(error["access_token"]);
    }

    private Action<TestDPoPProofDescriptor> Tamper(string tampering) => tampering switch
    {
        "typ JWT" => p => p.Type = "JWT",
        "alg none" => p => p.Algorithm = "none",
        "alg HS256" => p => p.Algorithm = "HS256",
        "htm GET" => p => p.Method = "GET",
        "htu of another endpoint" => p => p.Url = _authority.AuthorizationEndpoint,
        "iat six minutes ago" => p => p.IssuedAt = _time.GetUtcNow().AddMinutes(-6),
        "iat six minutes ahead" => p => p.IssuedAt = _time.GetUtcNow().AddMinutes(6),
        "no jwk" => p => p.OmitKey = true,
        "private key in jwk" => p => p.IncludePrivateKey = true,
        "signed by another key" => p => p.SignWith = _otherKey,
        "no jti" => p => p.Jti = null,
        _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
    };

    [Fact]
    public async Task A_proof_that_is_not_a_JWT_is_invalid_dpop_proof()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);

        using var response = await PostTokenAsync(RedeemForm(client, code, verifier), "not.a-proof");

        await AssertErrorAsync(response, "invalid_dpop_proof");
    }

    [Fact]
    public async Task The_first_proof_gets_use_dpop_nonce_with_a_DPoP_Nonce_header_and_the_retry_with_it_gets_a_bound_token()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);

        using var first = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint));
        await AssertErrorAsync(first, "use_dpop_nonce");
        var nonce = Assert.Single(first.Headers.GetValues("DPoP-Nonce"));
        using var retry = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint, nonce: nonce));
        var tokens = JsonNode.Parse(await retry.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("DPoP", (string?)tokens["token_type"]);
        var token = new JsonWebToken((string)tokens["access_token"]!);
        Assert.Equal($$"""{"jkt":"{{_key.Thumbprint}}"}""", token.GetClaim("cnf").Value);
        Assert.Equal([Resource], token.Audiences);
    }

    [Fact]
    public async Task A_nonce_the_authority_did_not_issue_or_that_expired_gets_use_dpop_nonce_again()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var nonce = await NonceAsync(client);

        using var forged = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint, nonce: "made-up-nonce"));
        _time.Advance(TimeSpan.FromMinutes(6));
        using var expired = await PostTokenAsync(RedeemForm(client, code, verifier), _key.CreateProof("POST", _authority.TokenEndpoint, nonce: nonce));

        await AssertErrorAsync(forged, "use_dpop_nonce");
        await AssertErrorAsync(expired, "use_dpop_nonce");
        Assert.NotEqual(nonce, Assert.Single(expired.Headers.GetValues("DPoP-Nonce")));
    }

    [Fact]
    public async Task A_replayed_proof_is_invalid_dpop_proof()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var (_, secondCode, secondVerifier) = await AuthorizeAsync(client);
        var proof = _key.CreateProof("POST", _authority.TokenEndpoint, nonce: await NonceAsync(client));

        using var first = await PostTokenAsync(RedeemForm(client, code, verifier), proof);
        using var replay = await PostTokenAsync(RedeemForm(client, secondCode, secondVerifier), proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertErrorAsync(replay, "invalid_dpop_proof");
    }

    [Theory]
    [InlineData("not-a-thumbprint")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    public async Task A_dpop_jkt_that_is_not_a_thumbprint_is_refused_at_the_redirect_uri(string dpopJkt)
    {
        var client = await RegisterAsync(publicClient: true);
        var url = QueryHelpers.AddQueryString(AuthorizeUrl(client, Challenge(Verifier())), "dpop_jkt", dpopJkt);

        using var response = await _http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("invalid_request", QueryHelpers.ParseQuery(response.Headers.Location!.Query)["error"]);
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_cannot_be_redeemed_with_another_key_and_is_spent()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true, dpopJkt: _key.Thumbprint);

        var other = await RedeemWithDPoPAsync(client, code, verifier, _otherKey);
        var right = await RedeemWithDPoPAsync(client, code, verifier, _key);

        Assert.Equal("invalid_grant", (string?)other["error"]);
        Assert.Equal("invalid_grant", (string?)right["error"]);
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_cannot_be_redeemed_without_a_proof()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true, dpopJkt: _key.Thumbprint);

        using var response = await PostTokenAsync(RedeemForm(client, code, verifier));

        await AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_is_redeemed_with_a_proof_of_that_key_for_a_token_bound_to_it()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true, dpopJkt: _key.Thumbprint);

        var tokens = await RedeemWithDPoPAsync(client, code, verifier, _key);

        Assert.Equal("DPoP", (string?)tokens["token_type"]);
        Assert.Equal(_key.Thumbprint, JkTOf(tokens));
    }

    [Fact]
    public async Task A_public_clients_refresh_token_issued_with_DPoP_cannot_be_used_with_another_key_and_is_spent()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var refresh = (string)(await RedeemWithDPoPAsync(client, code, verifier, _key))["refresh_token"]!;

        var other = await RefreshWithDPoPAsync(client, refresh, _otherKey);
        var right = await RefreshWithDPoPAsync(client, refresh, _key);

        Assert.Equal("invalid_grant", (string?)other["error"]);
        Assert.Equal("invalid_grant", (string?)right["error"]);
    }

    [Fact]
    public async Task A_public_clients_refresh_token_issued_with_DPoP_cannot_be_used_without_a_proof()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var refresh = (string)(await RedeemWithDPoPAsync(client, code, verifier, _key))["refresh_token"]!;

        using var response = await PostTokenAsync(RefreshForm(client, refresh));

        await AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task A_public_clients_bound_refresh_token_refreshes_with_its_key_into_tokens_bound_again()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: true);
        var refresh = (string)(await RedeemWithDPoPAsync(client, code, verifier, _key))["refresh_token"]!;

        var refreshed = await RefreshWithDPoPAsync(client, refresh, _key);
        var again = await RefreshWithDPoPAsync(client, (string)refreshed["refresh_token"]!, _otherKey);

        Assert.Equal("DPoP", (string?)refreshed["token_type"]);
        Assert.Equal(_key.Thumbprint, JkTOf(refreshed));
        Assert.Equal("invalid_grant", (string?)again["error"]);
    }

    [Fact]
    public async Task A_confidential_clients_refresh_token_is_not_bound_but_each_new_access_token_is_bound_to_its_proof()
    {
        var (client, code, verifier) = await AuthorizeAsync(publicClient: false);
        var refresh = (string)(await RedeemWithDPoPAsync(client, code, verifier, _key))["refresh_token"]!;

        var withOtherKey = await RefreshWithDPoPAsync(client, refresh, _otherKey);
        using var withoutProof = await PostTokenAsync(RefreshForm(client, (string)withOtherKey["refresh_token"]!));
        var bearer = JsonNode.Parse(await withoutProof.Content.ReadAsStringAsync())!;

        Assert.Equal("DPoP", (string?)withOtherKey["token_type"]);
        Assert.Equal(_otherKey.Thumbprint, JkTOf(withOtherKey));
        Assert.Equal("Bearer", (string?)bearer["token_type"]);
        Assert.Null(JkTOf(bearer));
    }

    [Fact]
    public async Task Client_credentials_with_a_proof_issue_a_bound_token()
    {
        _authority.AddClient("C2Agent", c =>
        {
            c.ClientSecret = "s3cret";
            c.GrantTypes.Add(TestOAuthGrants.ClientCredentials);
            c.Scopes.Add("reports.read");
        });
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "C2Agent", ["client_secret"] = "s3cret", ["resource"] = Resource };

        using var first = await PostTokenAsync(form, _key.CreateProof("POST", _authority.TokenEndpoint));
        var nonce = first.Headers.GetValues("DPoP-Nonce").Single();
        using var response = await PostTokenAsync(form, _key.CreateProof("POST", _authority.TokenEndpoint, nonce: nonce));
        var tokens = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("DPoP", (string?)tokens["token_type"]);
        Assert.Equal(_key.Thumbprint, JkTOf(tokens));
    }

    [Fact]
    public async Task Without_the_nonce_option_the_first_proof_is_accepted()
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o => o.RequireDPoPNonce = false);
        authority.AddClient("C2Agent", c =>
        {
            c.ClientSecret = "s3cret";
            c.GrantTypes.Add(TestOAuthGrants.ClientCredentials);
        });
        using var key = TestDPoPKey.Create("RS256");

        using var response = await _http.SendAsync(TokenRequest(
            authority.TokenEndpoint,
            new() { ["grant_type"] = "client_credentials", ["client_id"] = "C2Agent", ["client_secret"] = "s3cret" },
            key.CreateProof("POST", authority.TokenEndpoint)));
        var tokens = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DPoP", (string?)tokens["token_type"]);
        Assert.Equal(key.Thumbprint, JkTOf(tokens));
    }

    [Fact]
    public async Task With_the_DPoP_option_a_token_request_without_a_proof_is_invalid_dpop_proof()
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o => o.RequireDPoP = true);
        authority.AddClient("C2Agent", c =>
        {
            c.ClientSecret = "s3cret";
            c.GrantTypes.Add(TestOAuthGrants.ClientCredentials);
        });

        using var response = await _http.SendAsync(TokenRequest(
            authority.TokenEndpoint, new() { ["grant_type"] = "client_credentials", ["client_id"] = "C2Agent", ["client_secret"] = "s3cret" }));

        await AssertErrorAsync(response, "invalid_dpop_proof");
    }

    [Fact]
    public async Task Discovery_lists_the_DPoP_proof_algorithms_the_token_endpoint_accepts()
    {
        var metadata = JsonNode.Parse(await _http.GetStringAsync(_authority.WellKnownUrl))!;

        Assert.Equal("""["ES256","ES384","ES512","RS256","RS384","RS512","PS256","PS384","PS512"]""", metadata["dpop_signing_alg_values_supported"]!.ToJsonString());
    }

    private static string? JkTOf(JsonNode tokens) =>
        tokens["access_token"] is { } token && new JsonWebToken((string)token!).TryGetClaim("cnf", out var cnf)
            ? (string?)JsonNode.Parse(cnf.Value)!["jkt"]
            : null;

    private static async Task<JsonNode> AssertErrorAsync(HttpResponseMessage response, string error)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (string?)body["error"]);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return body;
    }

    private async Task<JsonObject> RegisterAsync(bool publicClient)
    {
        using var response = await _http.PostAsJsonAsync(_authority.RegistrationEndpoint, new
        {
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            token_endpoint_auth_method = publicClient ? "none" : "client_secret_post",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private async Task<(JsonObject Client, string Code, string Verifier)> AuthorizeAsync(bool publicClient, string? dpopJkt = null) =>
        await AuthorizeAsync(await RegisterAsync(publicClient), dpopJkt);

    private async Task<(JsonObject Client, string Code, string Verifier)> AuthorizeAsync(JsonObject client, string? dpopJkt = null)
    {
        var verifier = Verifier();
        var url = AuthorizeUrl(client, Challenge(verifier));
        if (dpopJkt is not null)
        {
            url = QueryHelpers.AddQueryString(url, "dpop_jkt", dpopJkt);
        }

        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (client, QueryHelpers.ParseQuery(response.Headers.Location!.Query)["code"]!, verifier);
    }

    private string AuthorizeUrl(JsonObject client, string challenge) =>
        AuthorizationRequests.AuthorizeUrl(_authority, (string)client["client_id"]!, RedirectUri, challenge, "calendar.read offline_access", state: "xyz", resource: Resource);

    /// <summary>A nonce from the authority: the answer to a proof without one, on a request that spends nothing.</summary>
    private async Task<string> NonceAsync(JsonObject client)
    {
        using var response = await PostTokenAsync(RefreshForm(client, "unused"), _key.CreateProof("POST", _authority.TokenEndpoint));
        await AssertErrorAsync(response, "use_dpop_nonce");
        return response.Headers.GetValues("DPoP-Nonce").Single();
    }

    private Task<JsonNode> RedeemWithDPoPAsync(JsonObject client, string code, string verifier, TestDPoPKey key) =>
        TokenWithDPoPAsync(RedeemForm(client, code, verifier), key);

    private Task<JsonNode> RefreshWithDPoPAsync(JsonObject client, string refreshToken, TestDPoPKey key) =>
        TokenWithDPoPAsync(RefreshForm(client, refreshToken), key);

    /// <summary>A token request as a DPoP client sends it: a proof, and on <c>use_dpop_nonce</c> a new proof with the nonce.</summary>
    private async Task<JsonNode> TokenWithDPoPAsync(Dictionary<string, string> form, TestDPoPKey key)
    {
        using var first = await PostTokenAsync(form, key.CreateProof("POST", _authority.TokenEndpoint));
        var answer = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        if ((string?)answer["error"] != "use_dpop_nonce")
        {
            return answer;
        }

        using var retry = await PostTokenAsync(form, key.CreateProof("POST", _authority.TokenEndpoint, nonce: first.Headers.GetValues("DPoP-Nonce").Single()));
        return JsonNode.Parse(await retry.Content.ReadAsStringAsync())!;
    }

    private static Dictionary<string, string> RedeemForm(JsonObject client, string code, string verifier) =>
        WithClient(client, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier, ["resource"] = Resource });

    private static Dictionary<string, string> RefreshForm(JsonObject client, string refreshToken) =>
        WithClient(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });

    private static Dictionary<string, string> WithClient(JsonObject client, Dictionary<string, string> form)
    {
        form["client_id"] = (string)client["client_id"]!;
        if ((string?)client["client_secret"] is { } secret)
        {
            form["client_secret"] = secret;
        }

        return form;
    }

    private Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> form, params string[] proofs) =>
        _http.SendAsync(TokenRequest(_authority.TokenEndpoint, form, proofs));

    private static HttpRequestMessage TokenRequest(string tokenEndpoint, Dictionary<string, string> form, params string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return request;
    }
}
