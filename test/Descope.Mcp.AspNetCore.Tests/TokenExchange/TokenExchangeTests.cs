using System.IdentityModel.Tokens.Jwt;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.TokenExchange;

/// <summary>
/// <see cref="IDescopeTokenExchange"/> through the MCP SDK's client against the test authority's RFC 8693 endpoint.
/// </summary>
public sealed class TokenExchangeTests
{
    private const string ServerClientId = "mcp-server-client";
    private const string ServerClientSecret = "server-secret-value";
    private const string ApiResource = "https://api.example.test/";

    [Fact]
    public async Task The_exchange_sends_the_rfc_8693_fields_authenticated_as_the_servers_client_and_the_token_names_it_as_actor()
    {
        await using var host = await StartExchangeHostAsync();
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        var issued = Text(await CallAsync(client, "exchange", new { audience = ApiResource, scopes = new[] { "events.read", "events.write" } }));

        var request = Assert.Single(host.Authority.TokenExchange.Requests);
        Assert.Equal(200, request.StatusCode);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("client_secret_basic", request.ClientAuthentication);
        Assert.Equal(ServerClientId, request.ClientId);
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", request.Fields["grant_type"]);
        Assert.Equal(accessToken, request.Fields["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", request.Fields["subject_token_type"]);
        Assert.Equal(ApiResource, request.Fields["resource"]);
        Assert.False(request.Fields.ContainsKey("audience"));
        Assert.Equal("events.read events.write", request.Fields["scope"]);
        Assert.False(request.Fields.ContainsKey("client_secret"));

        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(issued);
        Assert.Equal(Alice, jwt.Subject);
        Assert.Equal(ApiResource, Assert.Single(jwt.Audiences));
        using var act = JsonDocument.Parse(jwt.Payload["act"] is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(jwt.Payload["act"]));
        Assert.Equal(ServerClientId, act.RootElement.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task A_logical_audience_is_sent_as_audience_and_the_form_encoding_can_be_chosen()
    {
        await using var host = await StartExchangeHostAsync(o => o.TokenExchange.BodyEncoding = TokenExchangeBodyEncoding.Form);
        var client = await host.ConnectAsync();

        var issued = Text(await CallAsync(client, "exchange", new { audience = "calendar-api" }));

        var request = Assert.Single(host.Authority.TokenExchange.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("calendar-api", request.Fields["audience"]);
        Assert.False(request.Fields.ContainsKey("resource"));
        Assert.False(request.Fields.ContainsKey("scope"));
        Assert.Equal("calendar-api", Assert.Single(new JwtSecurityTokenHandler().ReadJwtToken(issued).Audiences));
    }

    [Fact]
    public async Task Exchanged_tokens_are_cached_per_caller_and_two_users_never_share_one()
    {
        await using var host = await StartExchangeHostAsync();
        var alice = await host.ConnectAsync();
        var bob = await host.ConnectAsync("U2Bob");

        var aliceFirst = Text(await CallAsync(alice, "exchange", new { audience = ApiResource }));
        var aliceSecond = Text(await CallAsync(alice, "exchange", new { audience = ApiResource }));
        var bobs = Text(await CallAsync(bob, "exchange", new { audience = ApiResource }));
        var aliceOtherScope = Text(await CallAsync(alice, "exchange", new { audience = ApiResource, scopes = new[] { "events.read" } }));

        Assert.Equal(aliceFirst, aliceSecond);
        Assert.NotEqual(aliceFirst, bobs);
        Assert.NotEqual(aliceFirst, aliceOtherScope);
        Assert.Equal("U2Bob", new JwtSecurityTokenHandler().ReadJwtToken(bobs).Subject);
        Assert.Equal(3, host.Authority.TokenExchange.Requests.Count);
    }

    [Fact]
    public async Task A_token_is_never_handed_out_from_the_cache_past_its_expiry()
    {
        // Issued tokens live 30 seconds, less than the one-minute expiry buffer: each call must ask again.
        await using var host = await StartExchangeHostAsync(authority: a => a.AccessTokenLifetime = TimeSpan.FromSeconds(30));
        var client = await host.ConnectAsync();

        Text(await CallAsync(client, "exchange", new { audience = ApiResource }));
        Text(await CallAsync(client, "exchange", new { audience = ApiResource }));

        Assert.Equal(2, host.Authority.TokenExchange.Requests.Count);
    }

    [Theory]
    [InlineData("user", "denied by Descope's policy")]
    [InlineData("client", "denied by Descope's policy")]
    [InlineData("audience", "does not issue tokens for")]
    [InlineData("secret", "could not authenticate")]
    [InlineData("retired-key", "did not accept your sign-in")]
    public async Task Each_refusal_is_explained_to_the_client_as_a_tool_error(string refusal, string explanation)
    {
        await using var host = await StartExchangeHostAsync(o =>
        {
            if (refusal == "secret")
            {
                o.TokenExchange.ClientSecret = "not-the-secret";
            }
        });
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);
        switch (refusal)
        {
            case "user": host.Authority.TokenExchange.DenyUser(Alice); break;
            case "client": host.Authority.TokenExchange.DenyClient(ServerClientId); break;
            case "audience": host.Authority.TokenExchange.RejectAudience(ApiResource); break;
            case "retired-key":
                // The server still trusts the token it validated; Descope no longer does.
                await client.ListToolsAsync();
                host.Authority.RotateSigningKey(retirePrevious: true);
                break;
        }

        var text = ErrorText(await CallAsync(client, "exchange", new { audience = ApiResource }));

        Assert.Contains(explanation, text, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
        Assert.NotEmpty(host.Authority.TokenExchange.Requests);
    }

    [Fact]
    public async Task Without_a_client_id_the_exchange_says_what_to_configure()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync();

        var result = await CallAsync(client, "exchange", new { audience = ApiResource });

        Assert.True(result.IsError);
        Assert.Empty(host.Authority.TokenExchange.Requests);
    }

    [Fact]
    public async Task With_bound_tokens_refused_a_DPoP_callers_exchange_fails_typed_and_Descope_is_never_asked()
    {
        await using var host = await StartExchangeHostAsync(o => o.DPoP.BoundTokenForwarding = DPoPBoundTokenForwarding.Refuse);
        using var key = TestDPoPKey.Create();
        var accessToken = host.AccessToken(configure: t => t.DPoPThumbprint = key.Thumbprint);
        await using var client = await DPoPClient.ConnectAsync(host.Server, accessToken, key);

        var text = ErrorText(await CallAsync(client, "exchange", new { audience = ApiResource }));

        var refused = Assert.IsType<TokenExchangeException>(host.Probe.LastFailure);
        Assert.Equal(TokenExchangeFailure.DPoPBoundToken, refused.Failure);
        Assert.Equal(ApiResource, refused.Audience);
        Assert.Null(refused.StatusCode);
        Assert.Contains("Descope:DPoP:BoundTokenForwarding is Refuse", text, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, refused.Message, StringComparison.Ordinal);
        Assert.Empty(host.Authority.TokenExchange.Requests);

        // The setting is about bound tokens only: a bearer caller of the same server still exchanges.
        var bearer = await host.ConnectAsync();
        Text(await CallAsync(bearer, "exchange", new { audience = ApiResource }));
        Assert.Single(host.Authority.TokenExchange.Requests);
    }

    [Fact]
    public async Task By_default_a_DPoP_callers_token_is_forwarded_and_exchanged()
    {
        await using var host = await StartExchangeHostAsync();
        using var key = TestDPoPKey.Create();
        var accessToken = host.AccessToken(configure: t => t.DPoPThumbprint = key.Thumbprint);
        await using var client = await DPoPClient.ConnectAsync(host.Server, accessToken, key);

        var issued = Text(await CallAsync(client, "exchange", new { audience = ApiResource }));

        var request = Assert.Single(host.Authority.TokenExchange.Requests);
        Assert.Equal(200, request.StatusCode);
        Assert.Equal(accessToken, request.Fields["subject_token"]);
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(issued);
        Assert.Equal(Alice, jwt.Subject);
        Assert.Equal(ApiResource, Assert.Single(jwt.Audiences));
    }

    internal static async Task<ConnectionTestHost> StartExchangeHostAsync(
        Action<DescopeMcpOptions>? configure = null,
        Action<DescopeTestAuthorityOptions>? authority = null,
        Action<ModelContextProtocol.AspNetCore.HttpServerTransportOptions>? transport = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var host = await StartAsync(
            o =>
            {
                o.TokenExchange.ClientId = ServerClientId;
                o.TokenExchange.ClientSecret = ServerClientSecret;
                configure?.Invoke(o);
            },
            services: services,
            authority: authority,
            transport: transport);
        host.Authority.AddClient(ServerClientId, c => c.ClientSecret = ServerClientSecret);
        return host;
    }
}
