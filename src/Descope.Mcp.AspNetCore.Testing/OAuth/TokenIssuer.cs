using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Issues the token responses of the OAuth endpoints: access tokens signed by the authority's key ring, shaped like
/// Descope's (<c>sub</c>, <c>azp</c>, <c>scope</c>, <c>roles</c>, <c>permissions</c>, <c>tenants</c>, <c>dct</c>), with
/// <c>aud</c> set to the requested resource (RFC 8707), else the authority's default audience. A refresh token comes
/// only with a grant that includes <c>offline_access</c> (OpenID Connect Core §11): the client asked for it and the user
/// allowed it. With a DPoP key (RFC 9449 §5) the access token is bound to it (<c>cnf.jkt</c>, <c>token_type</c>
/// <c>DPoP</c>), and so is a public client's refresh token; a confidential client's refresh token is bound by its client
/// authentication instead.
/// </summary>
internal sealed class TokenIssuer(DescopeTestAuthority authority, OAuthStore store)
{
    public static bool IsResource(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Fragment.Length == 0;

    /// <summary>
    /// Tokens for a user: an access token with <paramref name="scopes"/>, and a refresh token for the whole
    /// <paramref name="grant"/> (the scopes the user granted, which a refresh may narrow for its access token but never
    /// for the refresh token, RFC 6749 §6) when the grant includes <c>offline_access</c>.
    /// </summary>
    public IResult ForUser(TestClient client, TestUser user, string[] scopes, string[] grant, string? resource, string? dpopJkt)
    {
        string? refreshToken = null;
        if (grant.Contains(OAuthScopes.OfflineAccess) && client.GrantTypes.Contains(TestOAuthGrants.RefreshToken))
        {
            refreshToken = OAuthStore.NewSecret();
            store.RefreshTokens[refreshToken] = new RefreshGrant(client, user.Subject, grant, resource, client.ClientSecret is null ? dpopJkt : null);
        }

        return Respond(client, scopes, resource, refreshToken, dpopJkt, token => DescribeUser(token, user));
    }

    /// <summary>What a user's tokens say about them: <c>sub</c>, roles, permissions, tenants, <c>dct</c> and further claims.</summary>
    public static void DescribeUser(TestTokenDescriptor token, TestUser user)
    {
        token.Subject = user.Subject;
        if (user.Roles.Count > 0)
        {
            token.Claims["roles"] = user.Roles.ToArray();
        }

        if (user.Permissions.Count > 0)
        {
            token.Claims["permissions"] = user.Permissions.ToArray();
        }

        if (user.Tenants.Count > 0)
        {
            token.Claims["tenants"] = user.Tenants.ToDictionary(
                t => t.Key,
                t => new Dictionary<string, string[]> { ["roles"] = [.. t.Value.Roles], ["permissions"] = [.. t.Value.Permissions] });
        }

        if (user.CurrentTenant is not null)
        {
            token.Claims["dct"] = user.CurrentTenant;
        }

        foreach (var (name, value) in user.Claims)
        {
            token.Claims[name] = value;
        }
    }

    public IResult ForClient(TestClient client, string[] scopes, string? resource, string? dpopJkt) =>
        Respond(client, scopes, resource, refreshToken: null, dpopJkt, token => token.Subject = client.ClientId);

    private IResult Respond(TestClient client, string[] scopes, string? resource, string? refreshToken, string? dpopJkt, Action<TestTokenDescriptor> describe)
    {
        var now = authority.TimeProvider.GetUtcNow();
        var lifetime = authority.AccessTokenLifetime;
        var accessToken = authority.CreateToken(token =>
        {
            describe(token);
            token.IssuedAt = now;
            token.ExpiresAt = now + lifetime;
            token.Claims["azp"] = client.ClientId;
            if (resource is not null)
            {
                token.Audience = resource;
            }

            token.DPoPThumbprint = dpopJkt;
            // offline_access asks for a refresh token; it is not a permission at the resource.
            foreach (var scope in scopes.Where(s => s != OAuthScopes.OfflineAccess))
            {
                token.Scopes.Add(scope);
            }
        });

        var response = new Dictionary<string, object>
        {
            ["access_token"] = accessToken,
            ["token_type"] = dpopJkt is null ? "Bearer" : "DPoP",
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["scope"] = string.Join(' ', scopes),
        };
        if (refreshToken is not null)
        {
            response["refresh_token"] = refreshToken;
        }

        return OAuthResults.NoStore(Results.Json(response));
    }
}
