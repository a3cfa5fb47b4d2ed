using System.Net;
using System.Text;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// Every refused token gets 401 with a fixed <c>WWW-Authenticate</c> value, through real HTTP to a protected MCP endpoint.
/// </summary>
public sealed class BadTokenTests(AuthorityAndServerFixture fixture) : IClassFixture<AuthorityAndServerFixture>
{
    private DescopeTestAuthority Authority => fixture.Authority;

    private ProtectedMcpServer Server => fixture.Server;

    private string MetadataUrl => Server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp";

    private string InvalidToken(string description) =>
        $"Bearer error=\"invalid_token\", error_description=\"{description}\", resource_metadata=\"{MetadataUrl}\"";

    private async Task<HttpResponseMessage> SendAsync(string? authorization)
    {
        var request = Server.McpRequest(token: null);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await Server.Http.SendAsync(request);
    }

    private async Task AssertRefusedAsync(string token, string description)
    {
        using var response = await SendAsync("Bearer " + token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([InvalidToken(description), Challenges.DPoP(MetadataUrl)], response.Headers.GetValues("WWW-Authenticate"));
    }

    private async Task AssertAcceptedAsync(string token)
    {
        using var response = await SendAsync("Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_valid_token_is_accepted() => await AssertAcceptedAsync(Authority.CreateToken());

    [Fact]
    public async Task The_scheme_name_is_case_insensitive()
    {
        using var response = await SendAsync("bearer " + Authority.CreateToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    public async Task A_request_without_bearer_credentials_gets_a_bare_challenge(string? authorization)
    {
        using var response = await SendAsync(authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([$"Bearer resource_metadata=\"{MetadataUrl}\"", Challenges.DPoP(MetadataUrl)], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task An_unsigned_token_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.AlgNone), "The access token is not signed with an accepted algorithm");

    [Fact]
    public async Task A_token_signed_with_HS256_over_the_public_key_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.HmacWithPublicKey), "The access token is not signed with an accepted algorithm");

    [Fact]
    public async Task A_token_signed_with_an_algorithm_that_is_not_allowed_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Algorithm = "RS512"), "The access token is not signed with an accepted algorithm");

    [Fact]
    public async Task A_token_signed_by_an_unknown_key_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Signing = TestSigningMode.UntrustedKey), "The access token signature is invalid");

    [Fact]
    public async Task A_token_from_an_untrusted_key_that_borrows_a_trusted_kid_is_refused() =>
        await AssertRefusedAsync(
            Authority.CreateToken(t => { t.Signing = TestSigningMode.UntrustedKey; t.KeyId = Authority.CurrentKeyId; }),
            "The access token signature is invalid");

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task A_token_that_points_at_its_own_key_set_is_refused_without_fetching_it(string parameter)
    {
        var attackerKeys = Authority.BaseUrl.AbsoluteUri + "attacker/jwks.json";
        await AssertRefusedAsync(
            Authority.CreateToken(t => { t.Signing = TestSigningMode.UntrustedKey; t.Header[parameter] = attackerKeys; }),
            "The access token uses an unsupported header parameter");

        Assert.Equal(0, Authority.Requests.To("/attacker/jwks.json"));
    }

    [Fact]
    public async Task A_token_that_embeds_its_own_jwk_is_refused() =>
        await AssertRefusedAsync(
            Authority.CreateToken(t => { t.Signing = TestSigningMode.UntrustedKey; t.Header["jwk"] = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = "AQAB", ["e"] = "AQAB" }; }),
            "The access token uses an unsupported header parameter");

    [Fact]
    public async Task A_token_with_critical_header_extensions_is_refused() =>
        await AssertRefusedAsync(
            Authority.CreateToken(t => { t.Header["crit"] = new[] { "exp" }; }),
            "The access token uses an unsupported header parameter");

    [Fact]
    public async Task An_expired_token_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-5)), "The access token expired");

    [Fact]
    public async Task A_token_not_valid_yet_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.NotBefore = DateTimeOffset.UtcNow.AddMinutes(5)), "The access token is not valid yet");

    [Fact]
    public async Task A_token_without_expiry_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.OmitExpiration = true), "The access token has no expiration");

    [Fact]
    public async Task A_token_expired_within_the_clock_skew_is_accepted() =>
        await AssertAcceptedAsync(Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-15)));

    [Fact]
    public async Task A_token_expired_just_beyond_the_clock_skew_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-45)), "The access token expired");

    [Fact]
    public async Task A_token_valid_from_within_the_clock_skew_is_accepted() =>
        await AssertAcceptedAsync(Authority.CreateToken(t => t.NotBefore = DateTimeOffset.UtcNow.AddSeconds(15)));

    [Fact]
    public async Task A_token_valid_from_just_beyond_the_clock_skew_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.NotBefore = DateTimeOffset.UtcNow.AddSeconds(45)), "The access token is not valid yet");

    [Theory]
    [InlineData("{base}/v1/apps/{P}")]
    [InlineData("{base}/v1/apps/agentic/{P}/{MS}")]
    [InlineData("{base}/v1/apps/agentic/{P}/MS2OtherServer")]
    [InlineData("{base}/v1/apps/{P}/T2Tenant")]
    [InlineData("{P}")]
    public async Task Every_issuer_form_of_the_project_is_accepted(string issuer) =>
        await AssertAcceptedAsync(Authority.CreateToken(t => t.Issuer = Expand(issuer)));

    [Theory]
    [InlineData("https://evil.example/v1/apps/{P}")]
    [InlineData("{base}/v1/apps/P2OtherProject")]
    [InlineData("P2OtherProject")]
    [InlineData("{base}/v1/apps/agentic/{P}/{MS}/extra")]
    [InlineData("{base}/v1/apps/{P}/T2Tenant/extra")]
    [InlineData("{base}/v1/apps/{P}/")]
    [InlineData("{base}/v2/apps/{P}")]
    [InlineData("{base}/v1/apps/{P}?x=1")]
    [InlineData("")]
    public async Task Issuers_outside_the_project_family_are_refused(string issuer) =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Issuer = Expand(issuer)), "The access token issuer is not trusted");

    [Theory]
    [InlineData("{base}/v1/apps/x/../{P}")]
    [InlineData("{base}/v1/apps/./{P}")]
    [InlineData("{base}//v1//apps//{P}")]
    [InlineData("{base}/v1/apps/{P}//T2Tenant")]
    [InlineData("{base}/v1/apps/{P}/%2E%2E")]
    [InlineData("{base}/V1/APPS/{P}")]
    [InlineData("{base}/v1/apps/{P}#x")]
    public async Task Other_spellings_of_a_project_issuer_are_refused(string issuer) =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Issuer = Expand(issuer)), "The access token issuer is not trusted");

    [Fact]
    public async Task An_audience_with_a_trailing_slash_the_server_url_lacks_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Audience = Server.McpUrl + "/"), "The access token was issued for another resource");

    [Fact]
    public async Task An_audience_that_differs_from_the_server_url_only_in_case_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Audience = Server.McpUrl.ToUpperInvariant()), "The access token was issued for another resource");

    [Fact]
    public async Task A_token_for_another_mcp_server_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Audience = "https://other-mcp.example.com/mcp"), "The access token was issued for another resource");

    [Fact]
    public async Task A_token_without_audience_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Audiences = []), "The access token was issued for another resource");

    [Fact]
    public async Task An_audience_array_that_names_this_server_is_accepted() =>
        await AssertAcceptedAsync(Authority.CreateToken(t => t.Audiences = ["client-app", Server.McpUrl]));

    [Fact]
    public async Task An_audience_array_that_does_not_name_this_server_is_refused() =>
        await AssertRefusedAsync(Authority.CreateToken(t => t.Audiences = ["client-app", Authority.ProjectId]), "The access token was issued for another resource");

    [Theory]
    [InlineData("abc.def")]
    [InlineData("abc")]
    [InlineData("!!!.@@@.###")]
    [InlineData("a.b.c.d")]
    public async Task A_token_that_is_not_a_compact_jws_is_refused(string token) =>
        await AssertRefusedAsync(token, "The access token is malformed");

    [Fact]
    public async Task A_token_whose_header_is_not_utf8_is_refused() =>
        await AssertRefusedAsync(Base64UrlEncoder.Encode([0xFF, 0xFE, 0xFD]) + "." + Segment("{}") + ".c2ln", "The access token is malformed");

    [Fact]
    public async Task A_token_whose_header_is_not_a_json_object_is_refused() =>
        await AssertRefusedAsync(Segment("[1,2]") + "." + Segment("{}") + ".c2ln", "The access token is malformed");

    [Fact]
    public async Task An_encrypted_token_is_refused() =>
        await AssertRefusedAsync(Segment("""{"alg":"RSA-OAEP","enc":"A256GCM"}""") + ".a2V5.aXY.Y2lwaGVy.dGFn", "The access token is malformed");

    private const string Hostile = "evil\"\r\nX-Injected: 1 ünïcødé";

    [Fact]
    public async Task An_issuer_with_control_characters_quotes_and_non_ascii_never_reaches_the_header()
    {
        using var response = await SendAsync("Bearer " + Authority.CreateToken(t => { t.Issuer = Hostile; t.Subject = Hostile; }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([InvalidToken("The access token issuer is not trusted"), Challenges.DPoP(MetadataUrl)], response.Headers.GetValues("WWW-Authenticate"));
        Assert.False(response.Headers.Contains("X-Injected"));
    }

    [Fact]
    public async Task An_audience_with_control_characters_quotes_and_non_ascii_never_reaches_the_header()
    {
        using var response = await SendAsync("Bearer " + Authority.CreateToken(t => t.Audiences = [Hostile]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([InvalidToken("The access token was issued for another resource"), Challenges.DPoP(MetadataUrl)], response.Headers.GetValues("WWW-Authenticate"));
        Assert.False(response.Headers.Contains("X-Injected"));
    }

    [Fact]
    public async Task A_valid_token_with_hostile_claim_values_is_still_accepted_and_headers_stay_clean()
    {
        using var response = await SendAsync("Bearer " + Authority.CreateToken(t => t.Subject = "U2\r\nX-Injected: 1\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Injected"));
    }

    private string Expand(string template) => template
        .Replace("{base}", Authority.BaseUrl.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal)
        .Replace("{P}", Authority.ProjectId, StringComparison.Ordinal)
        .Replace("{MS}", Authority.McpServerId, StringComparison.Ordinal);
}
