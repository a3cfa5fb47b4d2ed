using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The token endpoint: authorization code (with PKCE S256), refresh token (single use, rotating, issued only with a grant
/// that includes <c>offline_access</c>) and client credentials.
/// Clients authenticate with <c>client_secret_basic</c>, <c>client_secret_post</c>, or their ID alone when public. A request
/// with a DPoP proof gets tokens bound to the proof's key (RFC 9449 §5); a grant bound to a key (a code issued for a
/// <c>dpop_jkt</c>, a public client's refresh token issued with DPoP) is honoured only with a proof of that key.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, DescopeTestAuthority authority, OAuthStore store, TokenRequestProofs proofs)
    {
        if (!context.Request.HasFormContentType)
        {
            return OAuthResults.Error("invalid_request", "The token request must be application/x-www-form-urlencoded.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form.Any(p => p.Value.Count > 1))
        {
            return OAuthResults.Error("invalid_request", "A parameter appears more than once.");
        }

        string? Param(string name) => form.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;

        var (client, failure) = Authenticate(context.Request, Param("client_id"), Param("client_secret"), store);
        if (client is null)
        {
            return failure!;
        }

        var grantType = Param("grant_type");
        if (grantType is null || !TestOAuthGrants.All.Contains(grantType))
        {
            return OAuthResults.Error("unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials.");
        }

        if (!client.GrantTypes.Contains(grantType))
        {
            return OAuthResults.Error("unauthorized_client", "The client is not registered for this grant type.");
        }

        var resource = Param("resource");
        if (resource is not null && !TokenIssuer.IsResource(resource))
        {
            return OAuthResults.Error("invalid_target", "resource must be an absolute URI without a fragment.");
        }

        // Checked before the grant, so a nonce challenge leaves the code or refresh token for the retry.
        var (jkt, proofFailure) = proofs.Check(context.Request);
        if (proofFailure is not null)
        {
            return proofFailure;
        }

        var issuer = new TokenIssuer(authority, store);
        return grantType switch
        {
            TestOAuthGrants.AuthorizationCode => RedeemCode(client, Param("code"), Param("redirect_uri"), Param("code_verifier"), resource, jkt, authority, store, issuer),
            TestOAuthGrants.RefreshToken => Refresh(client, Param("refresh_token"), Param("scope"), resource, jkt, store, issuer),
            _ => ClientCredentials(client, Param("scope"), resource, jkt, issuer),
        };
    }

    private static IResult RedeemCode(
        TestClient client, string? code, string? redirectUri, string? verifier, string? resource, string? jkt,
        DescopeTestAuthority authority, OAuthStore store, TokenIssuer issuer)
    {
        // Removed before any check: a code is spent by its first redemption attempt, good or bad.
        if (code is null || !store.Codes.TryRemove(code, out var grant))
        {
            return OAuthResults.Error("invalid_grant", "The authorization code is unknown or was already used.");
        }

        if (grant.Client != client || grant.RedirectUri != redirectUri || grant.ExpiresAt <= authority.TimeProvider.GetUtcNow())
        {
            return OAuthResults.Error("invalid_grant", "The authorization code was issued to another client or redirect URI, or it expired.");
        }

        if (verifier is null || !MatchesChallenge(verifier, grant.CodeChallenge))
        {
            return OAuthResults.Error("invalid_grant", "The code_verifier does not match the code_challenge.");
        }

        if (resource is not null && resource != grant.Resource)
        {
            return OAuthResults.Error("invalid_target", "resource differs from the one authorized.");
        }

        if (grant.DPoPJkt is not null && grant.DPoPJkt != jkt)
        {
            return OAuthResults.Error("invalid_grant", "The authorization code is bound to a DPoP key (dpop_jkt): redeem it with a proof of that key.");
        }

        return store.Users.TryGetValue(grant.Subject, out var user)
            ? issuer.ForUser(client, user, grant.Scopes, grant.Scopes, grant.Resource, jkt)
            : OAuthResults.Error("invalid_grant", "The user no longer exists.");
    }

    private static IResult Refresh(TestClient client, string? refreshToken, string? scope, string? resource, string? jkt, OAuthStore store, TokenIssuer issuer)
    {
        if (refreshToken is null || !store.RefreshTokens.TryRemove(refreshToken, out var grant) || grant.Client != client)
        {
            return OAuthResults.Error("invalid_grant", "The refresh token is unknown, was already used, or belongs to another client.");
        }

        // RFC 9449 §5: a stolen bound refresh token is no use without the key; like any refresh attempt, the try spends it.
        if (grant.DPoPJkt is not null && grant.DPoPJkt != jkt)
        {
            return OAuthResults.Error("invalid_grant", "The refresh token is bound to a DPoP key: refresh with a proof of that key.");
        }

        string[] scopes = scope is null ? grant.Scopes : OAuthScopes.Parse(scope);
        if (!scopes.All(grant.Scopes.Contains))
        {
            return OAuthResults.Error("invalid_scope", "A refresh may only narrow the scopes originally granted.");
        }

        if (resource is not null && resource != grant.Resource)
        {
            return OAuthResults.Error("invalid_target", "resource differs from the one authorized.");
        }

        if (!store.Users.TryGetValue(grant.Subject, out var user))
        {
            return OAuthResults.Error("invalid_grant", "The user no longer exists.");
        }

        // Scopes the user has lost since are not renewed, in the access token or in the grant the new refresh token carries.
        bool Held(string s) => user.Scopes.Contains(s) || s is OAuthScopes.OpenId or OAuthScopes.OfflineAccess;
        return issuer.ForUser(client, user, [.. scopes.Where(Held)], [.. grant.Scopes.Where(Held)], grant.Resource, jkt);
    }

    private static IResult ClientCredentials(TestClient client, string? scope, string? resource, string? jkt, TokenIssuer issuer)
    {
        if (client.ClientSecret is null)
        {
            return OAuthResults.Error("unauthorized_client", "client_credentials needs a confidential client.");
        }

        var requested = OAuthScopes.Parse(scope);
        string[] granted = requested.Length == 0 ? [.. client.Scopes.Order(StringComparer.Ordinal)] : [.. requested.Where(client.Scopes.Contains)];
        return issuer.ForClient(client, granted, resource, jkt);
    }

    internal static (TestClient? Client, IResult? Failure) Authenticate(HttpRequest request, string? formId, string? formSecret, OAuthStore store)
    {
        string? id = formId;
        string? secret = formSecret;
        if (AuthenticationHeaderValue.TryParse(request.Headers[HeaderNames.Authorization], out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (formSecret is not null || !TryReadBasic(header.Parameter, out var basicId, out var basicSecret) || (formId is not null && formId != basicId))
            {
                return (null, OAuthResults.InvalidClient("Send client credentials once, in a valid Basic header or in the form."));
            }

            (id, secret) = (basicId, basicSecret);
        }

        if (id is null || !store.Clients.TryGetValue(id, out var client))
        {
            return (null, OAuthResults.InvalidClient("The client is unknown."));
        }

        if (client.ClientSecret is not null
            && (secret is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.ClientSecret))))
        {
            return (null, OAuthResults.InvalidClient("The client secret is wrong."));
        }

        return (client, null);
    }

    private static bool TryReadBasic(string? parameter, out string id, out string secret)
    {
        id = secret = string.Empty;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter ?? string.Empty));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            id = Uri.UnescapeDataString(decoded[..colon]);
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) equals the challenge.</summary>
    private static bool MatchesChallenge(string verifier, string challenge)
    {
        if (verifier.Length is < 43 or > 128 || !verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
        {
            return false;
        }

        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
