using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>The authority's OAuth state: users, clients, pending authorization codes and live refresh tokens.</summary>
internal sealed class OAuthStore
{
    public ConcurrentDictionary<string, TestUser> Users { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, TestClient> Clients { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, AuthorizationCodeGrant> Codes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RefreshGrant> RefreshTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>256 bits of randomness, base64url: for client IDs, secrets, codes and refresh tokens.</summary>
    public static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Every scope the authority knows of, for <c>scopes_supported</c>.</summary>
    public IEnumerable<string> KnownScopes() =>
        Users.Values.SelectMany(u => u.Scopes)
            .Concat(Clients.Values.SelectMany(c => c.Scopes))
            .Append(OAuthScopes.OpenId)
            .Append(OAuthScopes.OfflineAccess)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
}
