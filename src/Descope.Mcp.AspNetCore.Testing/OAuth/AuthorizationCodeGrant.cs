namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// What an authorization code stands for until it is redeemed, once; with <see cref="DPoPJkt"/>, only with a DPoP proof
/// of that key.
/// </summary>
internal sealed record AuthorizationCodeGrant(
    TestClient Client,
    string Subject,
    string[] Scopes,
    string? Resource,
    string RedirectUri,
    string CodeChallenge,
    DateTimeOffset ExpiresAt,
    string? DPoPJkt);
