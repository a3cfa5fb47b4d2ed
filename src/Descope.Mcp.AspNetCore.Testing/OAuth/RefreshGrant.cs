namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// What a refresh token stands for until it is used, once: the user's grant to the client (its scopes, among them
/// <c>offline_access</c>, which every refresh token's grant has); with <see cref="DPoPJkt"/> (a public client's token issued with
/// DPoP, RFC 9449 §5), only with a DPoP proof of that key.
/// </summary>
internal sealed record RefreshGrant(TestClient Client, string Subject, string[] Scopes, string? Resource, string? DPoPJkt);
