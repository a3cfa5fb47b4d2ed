using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>Dynamic client registration (RFC 7591) at Descope's path for MCP servers.</summary>
internal static class RegistrationEndpoint
{
    private static readonly string[] AuthMethods = ["none", "client_secret_post", "client_secret_basic"];

    public static async Task<IResult> HandleAsync(HttpContext context, DescopeTestAuthority authority, OAuthStore store)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return OAuthResults.Error("invalid_client_metadata", "The registration request is not a JSON object.");
        }

        using (document)
        {
            var metadata = document.RootElement;
            if (metadata.ValueKind != JsonValueKind.Object)
            {
                return OAuthResults.Error("invalid_client_metadata", "The registration request is not a JSON object.");
            }

            if (!TryReadStrings(metadata, "redirect_uris", out var redirectUris) || redirectUris is not { Length: > 0 }
                || !redirectUris.All(IsRedirectUri))
            {
                return OAuthResults.Error("invalid_redirect_uri", "redirect_uris must list one or more absolute URIs without a fragment.");
            }

            if (!TryReadString(metadata, "token_endpoint_auth_method", out var authMethod) || !AuthMethods.Contains(authMethod ?? "client_secret_basic"))
            {
                return OAuthResults.Error("invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic.");
            }

            if (!TryReadStrings(metadata, "grant_types", out var grantTypes) || !(grantTypes ?? []).All(TestOAuthGrants.All.Contains)
                || (authMethod == "none" && (grantTypes ?? []).Contains(TestOAuthGrants.ClientCredentials)))
            {
                return OAuthResults.Error("invalid_client_metadata", "grant_types may list authorization_code, refresh_token and, for confidential clients, client_credentials.");
            }

            if (!TryReadStrings(metadata, "response_types", out var responseTypes) || !(responseTypes ?? ["code"]).All(t => t == "code")
                || !TryReadString(metadata, "client_name", out var clientName) || !TryReadString(metadata, "scope", out var scope))
            {
                return OAuthResults.Error("invalid_client_metadata", "response_types may only list code; client_name and scope are strings.");
            }

            authMethod ??= "client_secret_basic";
            var client = new TestClient("C" + OAuthStore.NewSecret())
            {
                ClientSecret = authMethod == "none" ? null : OAuthStore.NewSecret(),
                ClientName = clientName,
            };
            foreach (var uri in redirectUris)
            {
                client.RedirectUris.Add(uri);
            }

            if (grantTypes is not null)
            {
                client.GrantTypes.Clear();
                foreach (var grant in grantTypes.Distinct(StringComparer.Ordinal))
                {
                    client.GrantTypes.Add(grant);
                }
            }

            // A registered client may later use client_credentials for the scopes it registered with: the test authority
            // trusts registrations, so tests can obtain client tokens with chosen scopes through the real endpoints.
            foreach (var registered in OAuthScopes.Parse(scope))
            {
                client.Scopes.Add(registered);
            }

            store.Clients[client.ClientId] = client;
            var response = new Dictionary<string, object?>
            {
                ["client_id"] = client.ClientId,
                ["client_id_issued_at"] = authority.TimeProvider.GetUtcNow().ToUnixTimeSeconds(),
                ["redirect_uris"] = client.RedirectUris,
                ["grant_types"] = client.GrantTypes,
                ["response_types"] = new[] { "code" },
                ["token_endpoint_auth_method"] = authMethod,
            };
            if (client.ClientSecret is not null)
            {
                response["client_secret"] = client.ClientSecret;
                response["client_secret_expires_at"] = 0;
            }

            if (clientName is not null)
            {
                response["client_name"] = clientName;
            }

            if (scope is not null)
            {
                response["scope"] = scope;
            }

            return OAuthResults.NoStore(Results.Json(response, statusCode: StatusCodes.Status201Created));
        }
    }

    private static bool IsRedirectUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Fragment.Length == 0;

    private static bool TryReadString(JsonElement metadata, string name, out string? value)
    {
        value = null;
        if (!metadata.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        value = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return value is not null;
    }

    private static bool TryReadStrings(JsonElement metadata, string name, out string[]? values)
    {
        values = null;
        if (!metadata.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        values = [.. element.EnumerateArray().Select(e => e.GetString()!)];
        return true;
    }
}
