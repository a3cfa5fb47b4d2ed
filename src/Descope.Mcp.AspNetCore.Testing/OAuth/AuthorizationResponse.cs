using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The answer to an authorization request, however consent was given: a single-use code bound to the client, redirect
/// URI, PKCE challenge, user, scopes, resource and DPoP key if one was named, sent to the redirect URI with the state and issuer (RFC 9207); or
/// <c>access_denied</c> there when consent was refused.
/// </summary>
internal static class AuthorizationResponse
{
    public static IResult Send(DescopeTestAuthority authority, AuthorizationRequest request, ConsentDecision decision)
    {
        if (decision.User is null)
        {
            return OAuthResults.RedirectError(request.RedirectUri, "access_denied", decision.RefusalReason ?? "Consent was refused.", request.State, authority.Issuer);
        }

        var code = OAuthStore.NewSecret();
        authority.OAuth.Codes[code] = new AuthorizationCodeGrant(
            request.Client,
            decision.User.Subject,
            decision.GrantedScopes,
            request.Resource,
            request.RedirectUri,
            request.CodeChallenge,
            authority.TimeProvider.GetUtcNow() + authority.AuthorizationCodeLifetime,
            request.DPoPJkt);

        var response = new Dictionary<string, string?> { ["code"] = code, ["iss"] = authority.Issuer };
        if (request.State is not null)
        {
            response["state"] = request.State;
        }

        return Results.Redirect(QueryHelpers.AddQueryString(request.RedirectUri, response));
    }
}
