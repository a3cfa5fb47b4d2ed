using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Authentication.DPoP;

/// <summary>
/// Which presentation a token needs: a DPoP-bound token only with its key's proof, an unbound one only as a bearer token,
/// and with DPoP required, bound tokens only; with real HTTP, the MCP SDK's client and the step-up challenge.
/// </summary>
public sealed class DPoPBindingTests : McpServerTests, IDisposable
{
    private readonly TestDPoPKey _key = TestDPoPKey.Create();

    public void Dispose() => _key.Dispose();

    private string BoundToken(ProtectedMcpServer server, params string[] scopes) => Authority.CreateToken(t =>
    {
        t.Audience = server.McpUrl;
        t.DPoPThumbprint = _key.Thumbprint;
        foreach (var scope in scopes)
        {
            t.Scopes.Add(scope);
        }
    });

    private Task<ProtectedMcpServer> StartAsync(Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(m => m.WithTools<TestTools>().WithTools<CalendarTools>(), configure);

    private HttpRequestMessage WithProof(HttpRequestMessage request, string token, string? nonce = null)
    {
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", _key.CreateProof(request.Method.Method, request.RequestUri!.AbsoluteUri, token, nonce));
        return request;
    }

    [Fact]
    public async Task A_bound_token_presented_as_a_bearer_token_is_refused()
    {
        var server = await StartAsync();

        using var response = await server.Http.SendAsync(server.McpRequest(BoundToken(server)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [
                $"Bearer error=\"invalid_token\", error_description=\"The access token is DPoP-bound and needs a DPoP proof\", scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\"",
                Challenges.DPoP(MetadataUrl(server), "calendar.read calendar.write"),
            ],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_bound_token_remembered_from_a_DPoP_request_is_still_refused_as_a_bearer_token()
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        using (var accepted = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), token)))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var response = await server.Http.SendAsync(server.McpRequest(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("The access token is DPoP-bound and needs a DPoP proof", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unbound_token_presented_with_the_DPoP_scheme_is_refused()
    {
        var server = await StartAsync();
        var token = TokenFor(server);

        using var response = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            [
                $"Bearer scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\"",
                Challenges.DPoP(MetadataUrl(server), "calendar.read calendar.write", "invalid_token", "The access token is not DPoP-bound"),
            ],
            response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task When_DPoP_is_required_bearer_tokens_are_refused_and_only_DPoP_is_offered()
    {
        var server = await StartAsync(o => o.DPoP.Required = true);

        using var bearer = await server.Http.SendAsync(server.McpRequest(TokenFor(server)));
        using var anonymous = await server.Http.SendAsync(server.McpRequest(token: null));
        var bound = BoundToken(server);
        using var dpop = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), bound));

        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Equal(
            Challenges.DPoP(MetadataUrl(server), "calendar.read calendar.write", "invalid_token", "This resource requires DPoP-bound access tokens"),
            Assert.Single(bearer.Headers.GetValues("WWW-Authenticate")));
        Assert.Equal(Challenges.DPoP(MetadataUrl(server), "calendar.read calendar.write"), Assert.Single(anonymous.Headers.GetValues("WWW-Authenticate")));
        Assert.Equal(HttpStatusCode.OK, dpop.StatusCode);

        using var metadata = JsonDocument.Parse(await server.Http.GetStringAsync("/.well-known/oauth-protected-resource/mcp"));
        Assert.True(metadata.RootElement.GetProperty("dpop_bound_access_tokens_required").GetBoolean());
    }

    [Fact]
    public async Task The_metadata_lists_the_proof_algorithms_and_does_not_require_DPoP_by_default()
    {
        var server = await StartAsync(o => { o.DPoP.AllowedAlgorithms.Add("ES256"); o.DPoP.AllowedAlgorithms.Add("PS256"); });

        using var metadata = JsonDocument.Parse(await server.Http.GetStringAsync("/.well-known/oauth-protected-resource/mcp"));

        Assert.Equal(["ES256", "PS256"], metadata.RootElement.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.False(metadata.RootElement.TryGetProperty("dpop_bound_access_tokens_required", out _));
    }

    [Fact]
    public async Task The_MCP_client_runs_a_tool_with_a_bound_token_and_a_fresh_proof_per_request()
    {
        var server = await StartAsync();
        var token = BoundToken(server);
        var handler = new DPoPHandler(token, _key);

        await using var client = await DPoPClient.ConnectAsync(server, token, _key, handler);
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "bound" });

        Assert.Equal("bound", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.True(handler.Proofs.Count >= 2);
        Assert.Equal(handler.Proofs.Count, handler.Proofs.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_DPoP_caller_without_a_scope_gets_the_step_up_challenge_in_the_DPoP_scheme()
    {
        var server = await StartAsync();
        var token = BoundToken(server);

        using var response = await server.Http.SendAsync(WithProof(RawMcp.ToolCall(server.McpUrl, token: null, "list_events"), token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            $"DPoP error=\"insufficient_scope\", scope=\"calendar.read\", resource_metadata=\"{MetadataUrl(server)}\"",
            Assert.Single(response.Headers.GetValues("WWW-Authenticate")));

        var upgraded = BoundToken(server, "calendar.read");
        using var retried = await server.Http.SendAsync(WithProof(RawMcp.ToolCall(server.McpUrl, token: null, "list_events"), upgraded));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task With_nonces_required_a_proof_without_one_gets_a_nonce_and_the_retry_with_it_is_accepted()
    {
        var server = await StartAsync(o => o.DPoP.RequireNonce = true);
        var token = BoundToken(server);

        using var first = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), token));
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(
            [
                $"Bearer scope=\"calendar.read calendar.write\", resource_metadata=\"{MetadataUrl(server)}\"",
                Challenges.DPoP(MetadataUrl(server), "calendar.read calendar.write", "use_dpop_nonce", "The DPoP proof needs a current server nonce"),
            ],
            first.Headers.GetValues("WWW-Authenticate"));
        var nonce = Assert.Single(first.Headers.GetValues("DPoP-Nonce"));

        using var wrong = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), token, (nonce[0] == 'A' ? "B" : "A") + nonce[1..]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("error=\"use_dpop_nonce\"", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var retried = await server.Http.SendAsync(WithProof(server.McpRequest(token: null), token, nonce));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task The_MCP_client_follows_a_nonce_challenge()
    {
        var server = await StartAsync(o => o.DPoP.RequireNonce = true);
        var token = BoundToken(server);

        await using var client = await DPoPClient.ConnectAsync(server, token, _key);
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "with nonce" });

        Assert.Equal("with nonce", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task The_token_validator_checks_a_bound_token_with_its_proof_once_and_refuses_it_without_one()
    {
        var server = await StartAsync();
        var validator = server.Services.GetRequiredService<IDescopeTokenValidator>();
        var token = BoundToken(server);
        var proof = new DescopeDPoPProof(_key.CreateProof("POST", "https://other.example/jobs?x=1", token), "POST", new Uri("https://other.example/jobs"));

        var accepted = await validator.ValidateDPoPTokenAsync(token, proof);
        var replayed = await validator.ValidateDPoPTokenAsync(token, proof);
        var bare = await validator.ValidateTokenAsync(token);
        using var other = TestDPoPKey.Create();
        var wrongKey = await validator.ValidateDPoPTokenAsync(token, new DescopeDPoPProof(other.CreateProof("POST", "https://other.example/jobs", token), "POST", new Uri("https://other.example/jobs")));

        Assert.True(accepted.IsValid);
        Assert.Equal(DescopeTokenFailure.InvalidDPoPProof, replayed.Failure);
        Assert.Equal(DescopeTokenFailure.DPoPProofRequired, bare.Failure);
        Assert.Equal(DescopeTokenFailure.InvalidDPoPProof, wrongKey.Failure);
        Assert.True((await validator.ValidateTokenAsync(TokenFor(server))).IsValid);
    }
}
