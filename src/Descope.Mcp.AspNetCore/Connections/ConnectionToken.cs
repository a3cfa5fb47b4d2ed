namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A third-party access token handed out by Descope for a connection (outbound app).
/// </summary>
public sealed class ConnectionToken
{
    /// <summary>The access token to send to the third party. Never log it.</summary>
    public required string AccessToken { get; init; }

    /// <summary>The token type for the third party's <c>Authorization</c> header, usually <c>Bearer</c>.</summary>
    public string? TokenType { get; init; }

    /// <summary>When the access token expires; <see langword="null"/> when Descope did not say.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The scopes the token carries.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The connection (outbound app) ID.</summary>
    public required string AppId { get; init; }

    /// <summary>The user the token belongs to; <see langword="null"/> for a tenant-level token.</summary>
    public string? UserId { get; init; }

    /// <summary>The tenant the token belongs to, if any.</summary>
    public string? TenantId { get; init; }

    /// <summary>Whether Descope holds a refresh token for this connection.</summary>
    public bool HasRefreshToken { get; init; }

    /// <summary>The refresh token, only when it was asked for with <c>withRefreshToken</c>. Never log it.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>Descope's ID of the stored token.</summary>
    public string? Id { get; init; }

    /// <summary>Whether the token was granted by the user or for the tenant, as Descope reports it.</summary>
    public string? GrantedBy { get; init; }

    /// <summary>Describes the token without its secrets, so it is safe in logs.</summary>
    /// <returns>A description with the access and refresh tokens left out.</returns>
    public override string ToString() =>
        $"ConnectionToken {{ AppId = {AppId}, UserId = {UserId}, TenantId = {TenantId}, Scopes = [{string.Join(' ', Scopes)}], " +
        $"ExpiresAt = {ExpiresAt:O}, TokenType = {TokenType}, HasRefreshToken = {HasRefreshToken} }}";
}
