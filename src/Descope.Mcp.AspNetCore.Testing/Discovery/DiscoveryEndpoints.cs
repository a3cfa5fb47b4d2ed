using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.Discovery;

/// <summary>
/// The MCP Server discovery document and the project key set, at Descope's paths. The document doubles as OAuth
/// authorization server metadata (RFC 8414), served where MCP clients look for an issuer with a path: the OpenID path
/// under the issuer, and the OAuth and OpenID well-known paths with the issuer's path appended. It lists the DPoP proof
/// algorithms the token endpoint accepts (RFC 9449 §5.1).
/// </summary>
internal static class DiscoveryEndpoints
{
    private const string IssuerPath = "v1/apps/agentic/{projectId}/{mcpServerId}";

    public static void Map(WebApplication app, DescopeTestAuthority authority)
    {
        async Task<IResult> Document(string projectId, string mcpServerId, CancellationToken aborted)
        {
            await Task.Delay(authority.MetadataDelay, aborted);
            return !authority.MetadataAvailable ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                : projectId != authority.ProjectId || mcpServerId != authority.McpServerId ? Results.NotFound()
                : Results.Json(CreateDocument(authority));
        }

        app.MapGet("/" + IssuerPath + "/.well-known/openid-configuration", Document);
        app.MapGet("/.well-known/oauth-authorization-server/" + IssuerPath, Document);
        app.MapGet("/.well-known/openid-configuration/" + IssuerPath, Document);

        app.MapGet("/{projectId}/.well-known/jwks.json", async (string projectId, CancellationToken aborted) =>
        {
            await Task.Delay(authority.MetadataDelay, aborted);
            return !authority.MetadataAvailable ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                : projectId != authority.ProjectId ? Results.NotFound()
                : Results.Json(authority.Keys.ToJwks());
        });
    }

    private static Dictionary<string, object> CreateDocument(DescopeTestAuthority authority) => new()
    {
        ["issuer"] = authority.Issuer,
        ["jwks_uri"] = authority.JwksUrl,
        ["authorization_endpoint"] = authority.AuthorizationEndpoint,
        ["token_endpoint"] = authority.TokenEndpoint,
        ["registration_endpoint"] = authority.RegistrationEndpoint,
        ["scopes_supported"] = authority.OAuth.KnownScopes().ToArray(),
        ["response_types_supported"] = new[] { "code" },
        ["grant_types_supported"] = TestOAuthGrants.All,
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic", "none" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["authorization_response_iss_parameter_supported"] = true,
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["dpop_signing_alg_values_supported"] = DPoPProofValidator.SupportedAlgorithms,
    };
}
