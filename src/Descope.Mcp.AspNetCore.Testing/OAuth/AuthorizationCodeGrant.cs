namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>What an authorization code stands for until it is redeemed, once.</summary>
internal sealed record AuthorizationCodeGrant(
    TestClient Client,
    string Subject,
    string[] Scopes,
    string? Resource,
    string RedirectUri,
    string CodeChallenge,
    DateTimeOffset ExpiresAt);
