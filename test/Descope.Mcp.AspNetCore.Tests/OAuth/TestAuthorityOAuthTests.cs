using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.AuthorizationRequests;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>The test authority's OAuth endpoints through raw HTTP, as an MCP client's OAuth library would use them.</summary>
public sealed class TestAuthorityOAuthTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private const string Resource = "https://mcp.example.test/mcp";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync();
        _authority.AddUser("U2Alice", user =>
        {
            user.Scopes.Add("calendar.read");
            user.Scopes.Add("calendar.write");
            user.Roles.Add("viewer");
            user.AddTenant("T1", t => { t.Roles.Add("Tenant Admin"); t.Permissions.Add("invoices:approve"); });
            user.CurrentTenant = "T1";
        });
        _authority.AddUser("U2Bob", user => user.Scopes.Add("calendar.read"));
        _authority.SignedInUser = "U2Alice";
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    private string Base => _authority.BaseUrl.AbsoluteUri.TrimEnd('/');

    private string IssuerPath => $"v1/apps/agentic/{_authority.ProjectId}/{_authority.McpServerId}";

    [Fact]
    public async Task Authorization_server_metadata_is_served_at_the_OAuth_and_OpenID_discovery_paths()
    {
        var documents = new List<string>();
        foreach (var path in new[] { $"/.well-known/oauth-authorization-server/{IssuerPath}", $"/.well-known/openid-configuration/{IssuerPath}", $"/{IssuerPath}/.well-known/openid-configuration" })
        {
            documents.Add(await _http.GetStringAsync(Base + path));
        }

        Assert.Single(documents.Distinct());
        var metadata = JsonNode.Parse(documents[0])!;
        Assert.Equal(_authority.Issuer, (string?)metadata["issuer"]);
        Assert.Equal($"{Base}/oauth2/v1/apps/agentic/{_authority.ProjectId}/{_authority.McpServerId}/authorize", (string?)metadata["authorization_endpoint"]);
        Assert.Equal($"{Base}/oauth2/v1/apps/agentic/{_authority.ProjectId}/{_authority.McpServerId}/token", (string?)metadata["token_endpoint"]);
        Assert.Equal($"{Base}/v1/mgmt/mcp/client/{_authority.ProjectId}/{_authority.McpServerId}/register", (string?)metadata["registration_endpoint"]);
        Assert.Equal("""["S256"]""", metadata["code_challenge_methods_supported"]!.ToJsonString());
        Assert.Equal("""["authorization_code","refresh_token","client_credentials"]""", metadata["grant_types_supported"]!.ToJsonString());
        Assert.Equal("""["calendar.read","calendar.write","offline_access","openid"]""", metadata["scopes_supported"]!.ToJsonString());
    }

    [Fact]
    public async Task Dynamic_registration_returns_credentials_for_the_client()
    {
        var registration = await RegisterAsync();

        Assert.StartsWith("C", (string?)registration["client_id"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)registration["client_secret"]));
        Assert.Equal("client_secret_post", (string?)registration["token_endpoint_auth_method"]);
        Assert.Equal($"""["{RedirectUri}"]""", registration["redirect_uris"]!.ToJsonString());
        Assert.Contains(_authority.Clients, c => c.ClientId == (string?)registration["client_id"]);
    }

    [Theory]
    [InlineData("""{"grant_types":["authorization_code"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["not a uri"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["http://x/cb#frag"]}""", "invalid_redirect_uri")]
    [InlineData("""{"redirect_uris":["http://x/cb"],"grant_types":["password"]}""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":["http://x/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":["http://x/cb"],"token_endpoint_auth_method":"none","grant_types":["client_credentials"]}""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":"http://x/cb"}""", "invalid_redirect_uri")]
    [InlineData("""[1]""", "invalid_client_metadata")]
    [InlineData("""{"redirect_uris":""", "invalid_client_metadata")]
    public async Task Bad_registrations_get_the_RFC_7591_error(string body, string error)
    {
        using var response = await _http.PostAsync(_authority.RegistrationEndpoint, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task The_code_flow_grants_only_the_requested_scopes_the_user_may_have_for_the_requested_resource()
    {
        var client = await RegisterAsync();

        var tokens = await AuthorizeAndRedeemAsync(client, "calendar.write admin offline_access", Resource);

        Assert.Equal("calendar.write offline_access", (string?)tokens["scope"]);
        Assert.Equal("Bearer", (string?)tokens["token_type"]);
        Assert.Equal(3600, (int?)tokens["expires_in"]);
        Assert.False(string.IsNullOrEmpty((string?)tokens["refresh_token"]));
        var token = new JsonWebToken((string)tokens["access_token"]!);
        Assert.Equal("U2Alice", token.Subject);
        Assert.Equal([Resource], token.Audiences);
        Assert.Equal(_authority.Issuer, token.Issuer);
        Assert.Equal("calendar.write", token.GetClaim("scope").Value);
        Assert.Equal((string?)client["client_id"], token.GetClaim("azp").Value);
        Assert.Equal("T1", token.GetClaim("dct").Value);
        Assert.Equal("viewer", token.GetClaim("roles").Value);
        Assert.Equal("""{"T1":{"roles":["Tenant Admin"],"permissions":["invoices:approve"]}}""", token.GetClaim("tenants").Value);
        Assert.Equal(_authority.CurrentKeyId, token.Kid);
    }

    [Fact]
    public async Task Without_a_resource_the_token_audience_is_the_default_audience()
    {
        _authority.DefaultAudience = "https://default.example.test/mcp";
        var tokens = await AuthorizeAndRedeemAsync(await RegisterAsync(), "calendar.read", resource: null);

        Assert.Equal(["https://default.example.test/mcp"], new JsonWebToken((string)tokens["access_token"]!).Audiences);
    }

    [Fact]
    public async Task Login_hint_picks_another_declared_user()
    {
        var tokens = await AuthorizeAndRedeemAsync(await RegisterAsync(), "calendar.read calendar.write", Resource, loginHint: "U2Bob");

        Assert.Equal("calendar.read", (string?)tokens["scope"]);
        Assert.Equal("U2Bob", new JsonWebToken((string)tokens["access_token"]!).Subject);
    }

    [Fact]
    public async Task Without_a_signed_in_user_authorization_is_denied_at_the_redirect_uri()
    {
        _authority.SignedInUser = null;
        var client = await RegisterAsync();

        using var response = await _http.GetAsync(AuthorizeUrl(client, "calendar.read", Resource, Challenge(Verifier())));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("xyz", query["state"]);
        Assert.Equal(_authority.Issuer, query["iss"]);
    }

    [Theory]
    [InlineData("client_id", "unknown")]
    [InlineData("redirect_uri", "http://evil.example/cb")]
    public async Task An_unknown_client_or_redirect_uri_is_shown_an_error_and_never_redirected(string parameter, string value)
    {
        var client = await RegisterAsync();
        var url = AuthorizeUrl(client, "calendar.read", Resource, Challenge(Verifier()));
        url = url.Replace(parameter + "=" + Uri.EscapeDataString(parameter == "client_id" ? (string)client["client_id"]! : RedirectUri), parameter + "=" + Uri.EscapeDataString(value), StringComparison.Ordinal);

        using var response = await _http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("code_challenge_method=S256", "code_challenge_method=plain", "invalid_request")]
    [InlineData("response_type=code", "response_type=token", "unsupported_response_type")]
    [InlineData("resource=", "resource=relative%2Fpath&x=", "invalid_target")]
    public async Task Requests_without_PKCE_S256_a_code_response_or_a_valid_resource_are_refused(string from, string to, string error)
    {
        var client = await RegisterAsync();
        var url = AuthorizeUrl(client, "calendar.read", Resource, Challenge(Verifier())).Replace(from, to, StringComparison.Ordinal);

        using var response = await _http.GetAsync(url);

        Assert.Equal(error, QueryHelpers.ParseQuery(response.Headers.Location!.Query)["error"]);
    }

    [Fact]
    public async Task A_wrong_code_verifier_fails_and_spends_the_code()
    {
        var client = await RegisterAsync();
        var verifier = Verifier();
        var code = await AuthorizeAsync(client, "calendar.read", Resource, verifier);

        var wrong = await RedeemAsync(client, code, Verifier());
        var right = await RedeemAsync(client, code, verifier);

        Assert.Equal("invalid_grant", (string?)wrong["error"]);
        Assert.Equal("invalid_grant", (string?)right["error"]);
    }

    [Fact]
    public async Task A_code_can_be_redeemed_once()
    {
        var client = await RegisterAsync();
        var verifier = Verifier();
        var code = await AuthorizeAsync(client, "calendar.read", Resource, verifier);

        Assert.NotNull((await RedeemAsync(client, code, verifier))["access_token"]);
        Assert.Equal("invalid_grant", (string?)(await RedeemAsync(client, code, verifier))["error"]);
    }

    [Fact]
    public async Task A_code_is_bound_to_the_client_that_asked_for_it()
    {
        var alice = await RegisterAsync();
        var mallory = await RegisterAsync();
        var verifier = Verifier();
        var code = await AuthorizeAsync(alice, "calendar.read", Resource, verifier);

        Assert.Equal("invalid_grant", (string?)(await RedeemAsync(mallory, code, verifier))["error"]);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_invalid_client_with_401()
    {
        var client = await RegisterAsync();
        client["client_secret"] = "wrong";

        using var response = await PostTokenAsync(client, new() { ["grant_type"] = "authorization_code", ["code"] = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_can_narrow_scopes_and_cannot_be_reused()
    {
        var client = await RegisterAsync();
        var first = await AuthorizeAndRedeemAsync(client, "calendar.read calendar.write offline_access", Resource);
        var refresh = (string)first["refresh_token"]!;

        var narrowed = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["scope"] = "calendar.read" });
        var reused = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh });
        var widened = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = (string)narrowed["refresh_token"]!, ["scope"] = "calendar.read admin" });

        Assert.Equal("calendar.read", (string?)narrowed["scope"]);
        Assert.Equal([Resource], new JsonWebToken((string)narrowed["access_token"]!).Audiences);
        Assert.NotEqual(refresh, (string?)narrowed["refresh_token"]);
        Assert.Equal("invalid_grant", (string?)reused["error"]);
        Assert.Equal("invalid_scope", (string?)widened["error"]);
    }

    [Fact]
    public async Task A_refresh_drops_scopes_the_user_has_lost_since()
    {
        var client = await RegisterAsync();
        var first = await AuthorizeAndRedeemAsync(client, "calendar.read calendar.write offline_access", Resource);
        _authority.AddUser("U2Alice", user => user.Scopes.Add("calendar.read"));

        var refreshed = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = (string)first["refresh_token"]! });

        Assert.Equal("calendar.read offline_access", (string?)refreshed["scope"]);
    }

    [Fact]
    public async Task Without_offline_access_the_code_flow_issues_no_refresh_token()
    {
        var tokens = await AuthorizeAndRedeemAsync(await RegisterAsync(), "calendar.read calendar.write", Resource);

        Assert.Equal("calendar.read calendar.write", (string?)tokens["scope"]);
        Assert.False(string.IsNullOrEmpty((string?)tokens["access_token"]));
        Assert.Null(tokens["refresh_token"]);
    }

    [Fact]
    public async Task A_refresh_that_narrows_the_access_token_keeps_the_whole_grant_in_the_new_refresh_token()
    {
        var client = await RegisterAsync();
        var first = await AuthorizeAndRedeemAsync(client, "calendar.read calendar.write offline_access", Resource);

        var narrowed = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = (string)first["refresh_token"]!, ["scope"] = "calendar.read" });
        var whole = await TokenAsync(client, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = (string)narrowed["refresh_token"]! });

        Assert.Equal("calendar.read", (string?)narrowed["scope"]);
        Assert.Equal("calendar.read", new JsonWebToken((string)narrowed["access_token"]!).GetClaim("scope").Value);
        Assert.Equal("calendar.read calendar.write offline_access", (string?)whole["scope"]);
        Assert.False(string.IsNullOrEmpty((string?)whole["refresh_token"]));
    }

    [Fact]
    public async Task Client_credentials_issue_a_token_for_the_client_itself_within_its_scopes()
    {
        _authority.AddClient("C2Agent", c =>
        {
            c.ClientSecret = "s3cret";
            c.GrantTypes.Add(TestOAuthGrants.ClientCredentials);
            c.Scopes.Add("reports.read");
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, _authority.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "reports.read admin", ["resource"] = Resource }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("C2Agent:s3cret")));

        using var response = await _http.SendAsync(request);
        var tokens = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reports.read", (string?)tokens["scope"]);
        Assert.Null(tokens["refresh_token"]);
        var token = new JsonWebToken((string)tokens["access_token"]!);
        Assert.Equal("C2Agent", token.Subject);
        Assert.Equal([Resource], token.Audiences);
    }

    [Fact]
    public async Task A_public_client_cannot_use_client_credentials()
    {
        _authority.AddClient("C2Public", c => c.GrantTypes.Add(TestOAuthGrants.ClientCredentials));

        using var response = await _http.PostAsync(_authority.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "C2Public" }));

        Assert.Equal("unauthorized_client", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Theory]
    [InlineData("grant_type=password&client_id=C2Any", "unsupported_grant_type")]
    [InlineData("grant_type=client_credentials&client_id=C2Any", "unauthorized_client")]
    [InlineData("grant_type=authorization_code&grant_type=refresh_token&client_id=C2Any", "invalid_request")]
    public async Task Bad_token_requests_get_the_RFC_6749_error(string form, string error)
    {
        _authority.AddClient("C2Any");

        using var response = await _http.PostAsync(_authority.TokenEndpoint, new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompleteAuthorizationAsync_follows_the_authorize_URL_and_returns_what_the_redirect_carries(bool inProcess)
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o => o.InProcess = inProcess);
        authority.AddUser("U2Carol", u => u.Scopes.Add("calendar.read"));
        authority.SignedInUser = "U2Carol";
        authority.AddClient("C2Native", c => c.RedirectUris.Add(RedirectUri));
        var url = AuthorizationRequests.AuthorizeUrl(authority, "C2Native", RedirectUri, Challenge(Verifier()), "calendar.read", state: "s1");

        var result = await authority.CompleteAuthorizationAsync(new() { AuthorizationUri = new Uri(url), RedirectUri = new Uri(RedirectUri) }, CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(result!.Code));
        Assert.Equal("s1", result.State);
        Assert.Equal(authority.Issuer, result.Iss);
    }

    [Fact]
    public async Task CompleteAuthorizationAsync_says_why_the_authority_refused()
    {
        _authority.SignedInUser = "U2Nobody";
        _authority.AddClient("C2Native", c => c.RedirectUris.Add(RedirectUri));
        var url = AuthorizationRequests.AuthorizeUrl(_authority, "C2Native", RedirectUri, Challenge(Verifier()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _authority.CompleteAuthorizationAsync(new() { AuthorizationUri = new Uri(url), RedirectUri = new Uri(RedirectUri) }, CancellationToken.None));

        Assert.Contains("not declared with DescopeTestAuthority.AddUser", error.Message, StringComparison.Ordinal);
    }

    private async Task<JsonObject> RegisterAsync()
    {
        using var response = await _http.PostAsJsonAsync(_authority.RegistrationEndpoint, new
        {
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            token_endpoint_auth_method = "client_secret_post",
            client_name = "raw client",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private async Task<JsonNode> AuthorizeAndRedeemAsync(JsonObject client, string scope, string? resource, string? loginHint = null)
    {
        var verifier = Verifier();
        var code = await AuthorizeAsync(client, scope, resource, verifier, loginHint);
        return await RedeemAsync(client, code, verifier, resource);
    }

    private async Task<string> AuthorizeAsync(JsonObject client, string scope, string? resource, string verifier, string? loginHint = null)
    {
        var url = AuthorizeUrl(client, scope, resource, Challenge(verifier));
        if (loginHint is not null)
        {
            url = QueryHelpers.AddQueryString(url, "login_hint", loginHint);
        }

        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(RedirectUri, location.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("xyz", query["state"]);
        Assert.Equal(_authority.Issuer, query["iss"]);
        return query["code"]!;
    }

    private string AuthorizeUrl(JsonObject client, string scope, string? resource, string challenge) =>
        AuthorizationRequests.AuthorizeUrl(_authority, (string)client["client_id"]!, RedirectUri, challenge, scope, state: "xyz", resource: resource ?? string.Empty);

    private Task<JsonNode> RedeemAsync(JsonObject client, string code, string verifier, string? resource = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier };
        if (resource is not null)
        {
            form["resource"] = resource;
        }

        return TokenAsync(client, form);
    }

    private async Task<JsonNode> TokenAsync(JsonObject client, Dictionary<string, string> form)
    {
        using var response = await PostTokenAsync(client, form);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Task<HttpResponseMessage> PostTokenAsync(JsonObject client, Dictionary<string, string> form)
    {
        form["client_id"] = (string)client["client_id"]!;
        form["client_secret"] = (string)client["client_secret"]!;
        return _http.PostAsync(_authority.TokenEndpoint, new FormUrlEncodedContent(form));
    }
}
