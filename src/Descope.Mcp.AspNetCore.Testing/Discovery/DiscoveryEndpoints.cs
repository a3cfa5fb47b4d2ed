using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.Discovery;

/// <summary>
/// The MCP Server discovery document and the project key set, at Descope's paths.
/// </summary>
internal static class DiscoveryEndpoints
{
    public static void Map(WebApplication app, DescopeTestAuthority authority)
    {
        app.MapGet("/v1/apps/agentic/{projectId}/{mcpServerId}/.well-known/openid-configuration", (string projectId, string mcpServerId) =>
        {
            if (!authority.MetadataAvailable)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            if (projectId != authority.ProjectId || mcpServerId != authority.McpServerId)
            {
                return Results.NotFound();
            }

            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = authority.Issuer,
                ["jwks_uri"] = authority.JwksUrl,
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
            });
        });

        app.MapGet("/{projectId}/.well-known/jwks.json", (string projectId) =>
            !authority.MetadataAvailable ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
            : projectId != authority.ProjectId ? Results.NotFound()
            : Results.Json(authority.Keys.ToJwks()));
    }
}
