using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Obtains an access token from a running test authority the way a machine client would, through its public endpoints
/// only: discovery, dynamic client registration of a confidential client, then the <c>client_credentials</c> grant.
/// </summary>
internal static class ClientCredentialsToken
{
    /// <summary>
    /// Registers a client and requests a token for <paramref name="resource"/> with <paramref name="scope"/>. The
    /// authority grants a registered client only the scopes declared for it, so the token may carry fewer than asked.
    /// </summary>
    public static async Task<string> RequestAsync(Uri issuer, string scope, Uri resource)
    {
        using var http = new HttpClient();
        var discovery = await GetJsonAsync(http.GetAsync($"{issuer.AbsoluteUri.TrimEnd('/')}/.well-known/openid-configuration"));

        var client = await GetJsonAsync(http.PostAsJsonAsync((string)discovery["registration_endpoint"]!, new
        {
            client_name = "client credentials test client",
            // The authority asks every client for a redirect URI, though this grant never redirects.
            redirect_uris = new[] { "http://127.0.0.1/unused" },
            grant_types = new[] { "client_credentials" },
            token_endpoint_auth_method = "client_secret_post",
            scope,
        }));

        var token = await GetJsonAsync(http.PostAsync((string)discovery["token_endpoint"]!, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = (string)client["client_id"]!,
            ["client_secret"] = (string)client["client_secret"]!,
            ["scope"] = scope,
            ["resource"] = resource.AbsoluteUri,
        })));
        return (string)token["access_token"]!;
    }

    private static async Task<JsonNode> GetJsonAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();

        // Only error responses are quoted: a successful one holds a secret or a token.
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : throw new InvalidOperationException($"{response.RequestMessage!.RequestUri} answered {(int)response.StatusCode}: {body}");
    }
}
