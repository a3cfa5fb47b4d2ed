using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Descope's token exchange (RFC 8693) at <see cref="TestTokenExchange.Path"/>. Accepts a JSON body (as Descope
/// documents) or a form body (as the RFC specifies); authenticates the client with <c>client_secret_basic</c> or
/// <c>client_secret_post</c>; checks the subject token's signature, expiry and issuer; applies the policy; and issues a
/// token for the audience whose <c>act</c> claim names the client.
/// </summary>
internal static class TokenExchangeEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, DescopeTestAuthority authority)
    {
        var contentType = context.Request.ContentType ?? string.Empty;
        var fields = await ReadFieldsAsync(context.Request);
        string? clientAuthentication = null;
        string? clientId = null;
        var (status, error, result) = fields is null
            ? Refuse("invalid_request", "The body must be a JSON object or a form, with each field once and as a string.")
            : await ExchangeAsync();

        authority.TokenExchange.Record(new TestTokenExchangeRequest(
            contentType.Split(';')[0].Trim(), fields ?? new Dictionary<string, string>(), clientAuthentication, clientId, status, error));
        return result;

        async Task<(int, string?, IResult)> ExchangeAsync()
        {
            string? Field(string name) => fields!.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

            clientAuthentication = context.Request.Headers.ContainsKey(HeaderNames.Authorization) ? "client_secret_basic"
                : Field("client_secret") is not null ? "client_secret_post" : null;
            var (client, failure) = TokenEndpoint.Authenticate(context.Request, Field("client_id"), Field("client_secret"), authority.OAuth);
            if (client is null || client.ClientSecret is null)
            {
                clientAuthentication = null;
                return (401, "invalid_client", failure ?? OAuthResults.InvalidClient("Token exchange needs a confidential client."));
            }

            clientId = client.ClientId;
            if (Field("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange")
            {
                return Refuse("unsupported_grant_type", "grant_type must be urn:ietf:params:oauth:grant-type:token-exchange.");
            }

            if (Field("subject_token_type") != "urn:ietf:params:oauth:token-type:access_token" || Field("subject_token") is not { } subjectToken)
            {
                return Refuse("invalid_request", "subject_token and subject_token_type (access_token) are required.");
            }

            var audience = Field("resource") ?? Field("audience");
            if (audience is null || (Field("resource") is { } resource && !TokenIssuer.IsResource(resource)))
            {
                return Refuse("invalid_target", "audience, or resource as an absolute URI, is required.");
            }

            if (authority.TokenExchange.IsAudienceRejected(audience))
            {
                return Refuse("invalid_target", "Tokens are not issued for this audience.");
            }

            var subject = await ValidateAsync(subjectToken, authority);
            if (subject?.FindFirst("sub")?.Value is not { } userId)
            {
                return Refuse("invalid_grant", "The subject token is invalid, expired, or from another issuer.");
            }

            if (authority.TokenExchange.IsUserDenied(userId) || authority.TokenExchange.IsClientDenied(client.ClientId))
            {
                return Refuse("access_denied", "The policy does not allow this exchange.", StatusCodes.Status403Forbidden);
            }

            var scopes = OAuthScopes.Parse(Field("scope"));
            var now = authority.TimeProvider.GetUtcNow();
            var lifetime = authority.AccessTokenLifetime;
            var accessToken = authority.CreateToken(token =>
            {
                token.Subject = userId;
                token.Audience = audience;
                token.IssuedAt = now;
                token.ExpiresAt = now + lifetime;
                token.Claims["act"] = new Dictionary<string, string> { ["sub"] = client.ClientId };
                if (subject.FindFirst("azp")?.Value is { } mcpClient)
                {
                    token.Claims["azp"] = mcpClient;
                }

                foreach (var scope in scopes)
                {
                    token.Scopes.Add(scope);
                }
            });

            var answer = new Dictionary<string, object>
            {
                ["access_token"] = accessToken,
                ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                ["token_type"] = "Bearer",
                ["expires_in"] = (long)lifetime.TotalSeconds,
            };
            if (scopes.Length > 0)
            {
                answer["scope"] = string.Join(' ', scopes);
            }

            return (200, null, Results.Json(answer));
        }
    }

    private static (int, string?, IResult) Refuse(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        (status, error, OAuthResults.Error(error, description, status));

    private static async Task<Dictionary<string, string>?> ReadFieldsAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form.Any(p => p.Value.Count != 1) ? null : form.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        }

        if (request.HasJsonContentType())
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String || !fields.TryAdd(property.Name, property.Value.GetString()!))
                    {
                        return null;
                    }
                }

                return fields;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    private static async Task<ClaimsIdentity?> ValidateAsync(string token, DescopeTestAuthority authority)
    {
        var now = authority.TimeProvider.GetUtcNow().UtcDateTime;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = authority.Issuer,
            ValidateAudience = false,
            IssuerSigningKeyResolver = (_, _, keyId, _) =>
                authority.Keys.Find(keyId) is { } key ? [new RsaSecurityKey(key) { KeyId = keyId }] : [],
            LifetimeValidator = (notBefore, expires, _, _) => expires > now && (notBefore is null || notBefore <= now.AddSeconds(30)),
        });
        return result.IsValid ? result.ClaimsIdentity : null;
    }
}
