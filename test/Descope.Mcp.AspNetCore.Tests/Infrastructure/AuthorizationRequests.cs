using System.Security.Cryptography;
using System.Text;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>Authorization requests as an OAuth client builds them: a PKCE pair and the authorize URL.</summary>
internal static class AuthorizationRequests
{
    public static string Verifier() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>A code flow request with PKCE S256 at the authority; parameters left <see langword="null"/> are not sent.</summary>
    public static string AuthorizeUrl(
        DescopeTestAuthority authority,
        string clientId,
        string redirectUri,
        string challenge,
        string? scope = null,
        string? state = null,
        string? resource = null,
        string? loginHint = null) =>
        QueryHelpers.AddQueryString(authority.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["scope"] = scope,
            ["resource"] = resource,
            ["login_hint"] = loginHint,
        }.Where(p => p.Value is not null));
}
