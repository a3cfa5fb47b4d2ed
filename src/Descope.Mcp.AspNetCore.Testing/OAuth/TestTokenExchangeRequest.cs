namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>A token exchange request as the test authority received it.</summary>
/// <param name="ContentType">The media type of the body: <c>application/json</c> or <c>application/x-www-form-urlencoded</c>.</param>
/// <param name="Fields">The body's fields, including <c>subject_token</c>.</param>
/// <param name="ClientAuthentication">How the client authenticated: <c>client_secret_basic</c>, <c>client_secret_post</c>, or <see langword="null"/>.</param>
/// <param name="ClientId">The authenticated client, when it authenticated.</param>
/// <param name="StatusCode">The HTTP status of the answer.</param>
/// <param name="Error">The OAuth error of the answer, if any.</param>
public sealed record TestTokenExchangeRequest(
    string ContentType,
    IReadOnlyDictionary<string, string> Fields,
    string? ClientAuthentication,
    string? ClientId,
    int StatusCode,
    string? Error);
