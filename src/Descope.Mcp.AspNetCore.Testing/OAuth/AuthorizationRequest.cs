namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>A checked authorization request, as the consent step sees it.</summary>
internal sealed record AuthorizationRequest(TestClient Client, string[] RequestedScopes, string? Resource, string? LoginHint);
