namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>What a refresh token stands for until it is used, once.</summary>
internal sealed record RefreshGrant(TestClient Client, string Subject, string[] Scopes, string? Resource);
