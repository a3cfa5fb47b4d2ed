namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// A checked authorization request: the client, its registered redirect URI, the PKCE challenge, the DPoP key the code is
/// to be bound to (<c>dpop_jkt</c>, RFC 9449 §10) and what it asks for. Everything the response needs, so a decision taken
/// later (on a page) answers exactly the request that was checked.
/// </summary>
internal sealed record AuthorizationRequest(
    TestClient Client,
    string RedirectUri,
    string? State,
    string CodeChallenge,
    string[] RequestedScopes,
    string? Resource,
    string? LoginHint,
    string? DPoPJkt = null);
