using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Descope.Mcp.AspNetCore.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

/// <summary>The test authority's vault is as strict as Descope, so the library cannot pass against a lenient fake.</summary>
public sealed class ConnectionVaultTests : IAsyncLifetime
{
    private const string UserToken = "/v1/mgmt/outbound/app/user/token";
    private DescopeTestAuthority _authority = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.DefaultAudience = "https://mcp.example.com/mcp");
        _authority.Connections.AddUserConnection("google-calendar", "U2Alice", ["calendar.read"]);
        _http = new HttpClient { BaseAddress = _authority.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"],"color":"blue"}""", "unknown field 'color'")]
    [InlineData("""{"appId":"google-calendar","userId":"U2Alice"}""", "missing field 'scopes'")]
    [InlineData("""{"appId":"google-calendar","userId":"U2Alice","scopes":"calendar.read"}""", "field 'scopes' must be an array")]
    [InlineData("""{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"],"options":{"refresh":true}}""", "unknown or mistyped option 'refresh'")]
    [InlineData("""[1]""", "not a JSON object")]
    public async Task Unknown_missing_or_mistyped_fields_get_400(string body, string problem)
    {
        using var response = await PostAsync(UserToken, body, Caller());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_latest_endpoint_refuses_a_scopes_field()
    {
        using var response = await PostAsync(UserToken + "/latest", """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""", Caller());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_valid_request_gets_the_token_in_Descopes_shape()
    {
        using var response = await PostAsync(UserToken, """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""", Caller());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"token\":{\"id\":\"OT", body, StringComparison.Ordinal);
        Assert.Contains("\"accessToken\":\"test-at-", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer onlyatoken")]
    [InlineData("Basic abc:def")]
    public async Task A_malformed_authorization_header_gets_401(string? header)
    {
        using var response = await PostAsync(UserToken, """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""", header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Another_project_an_untrusted_signature_or_an_expired_token_gets_401()
    {
        const string body = """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""";
        var valid = Token();

        using var otherProject = await PostAsync(UserToken, body, $"Bearer P2Other:{valid}");
        using var untrusted = await PostAsync(UserToken, body, Caller(t => t.Signing = TestSigningMode.UntrustedKey));
        using var expired = await PostAsync(UserToken, body, Caller(t =>
        {
            t.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, otherProject.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, untrusted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task A_token_without_the_fetch_scope_gets_403()
    {
        using var response = await PostAsync(UserToken, """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""",
            $"Bearer {_authority.ProjectId}:{_authority.CreateToken(t => t.Subject = "U2Alice")}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_management_key_bypasses_policies_and_a_wrong_one_is_refused()
    {
        _authority.Connections.ManagementKey = "K2test";
        _authority.Connections.DenyApp("google-calendar");
        const string body = """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""";

        using var withKey = await PostAsync(UserToken, body, $"Bearer {_authority.ProjectId}:K2test");
        using var withWrongKey = await PostAsync(UserToken, body, $"Bearer {_authority.ProjectId}:K2wrong");
        using var withToken = await PostAsync(UserToken, body, Caller());

        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withWrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withToken.StatusCode);
    }

    [Fact]
    public async Task Scopes_the_user_never_granted_get_404_E111504()
    {
        using var response = await PostAsync(UserToken, """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.write"]}""", Caller());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("\"errorCode\":\"E111504\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_request_is_recorded_with_path_body_header_and_status()
    {
        const string body = """{"appId":"google-calendar","userId":"U2Alice","scopes":["calendar.read"]}""";
        var header = Caller();

        using var response = await PostAsync(UserToken, body, header);

        Assert.Equal(new TestVaultRequest(UserToken, body, header, 200), Assert.Single(_authority.Connections.Requests));
    }

    private string Token(Action<TestTokenDescriptor>? configure = null) => _authority.CreateToken(t =>
    {
        t.Subject = "U2Alice";
        t.Scopes.Add(TestConnectionVault.FetchScope);
        configure?.Invoke(t);
    });

    private string Caller(Action<TestTokenDescriptor>? configure = null) => $"Bearer {_authority.ProjectId}:{Token(configure)}";

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await _http.SendAsync(request);
    }
}
