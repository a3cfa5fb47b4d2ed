using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The authorization endpoint: checks the request (client, exact redirect URI, PKCE S256, resource, DPoP key thumbprint)
/// and asks the consent step, which answers through <see cref="AuthorizationResponse"/>. Errors before the redirect URI is
/// trusted are shown, not redirected (RFC 6749 §4.1.2.1).
/// </summary>
internal static class AuthorizeEndpoint
{
    public static IResult Handle(HttpContext context, DescopeTestAuthority authority, OAuthStore store, IConsent consent)
    {
        var query = context.Request.Query;
        if (query.Any(p => p.Value.Count > 1))
        {
            return OAuthResults.Error("invalid_request", "A parameter appears more than once.");
        }

        string? Param(string name) => query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

        if (Param("client_id") is not { } clientId || !store.Clients.TryGetValue(clientId, out var client))
        {
            return OAuthResults.Error("invalid_request", "client_id is missing or unknown.");
        }

        if (Param("redirect_uri") is not { } redirectUri || !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return OAuthResults.Error("invalid_request", "redirect_uri is missing or not registered for this client.");
        }

        var state = Param("state");
        IResult Fail(string error, string description) => OAuthResults.RedirectError(redirectUri, error, description, state, authority.Issuer);

        if (Param("response_type") != "code")
        {
            return Fail("unsupported_response_type", "Only response_type=code is supported.");
        }

        if (!client.GrantTypes.Contains(TestOAuthGrants.AuthorizationCode))
        {
            return Fail("unauthorized_client", "The client is not registered for the authorization code grant.");
        }

        if (Param("code_challenge") is not { Length: 43 } challenge || Param("code_challenge_method") != "S256")
        {
            return Fail("invalid_request", "PKCE is required: send a code_challenge with code_challenge_method=S256.");
        }

        var resource = Param("resource");
        if (resource is not null && !TokenIssuer.IsResource(resource))
        {
            return Fail("invalid_target", "resource must be an absolute URI without a fragment.");
        }

        // RFC 9449 §10: the thumbprint of the key the code may be redeemed with, a base64url SHA-256 hash.
        var dpopJkt = Param("dpop_jkt");
        if (dpopJkt is not null && !TokenRequestProofs.IsThumbprint(dpopJkt))
        {
            return Fail("invalid_request", "dpop_jkt must be the base64url SHA-256 JWK thumbprint of the client's DPoP key.");
        }

        var requested = OAuthScopes.Parse(Param("scope"));
        return consent.Ask(context, new AuthorizationRequest(client, redirectUri, state, challenge, requested, resource, Param("login_hint"), dpopJkt));
    }
}
