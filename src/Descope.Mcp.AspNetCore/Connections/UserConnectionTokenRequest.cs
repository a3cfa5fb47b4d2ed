namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A request for a named user's connection token.
/// </summary>
public sealed class UserConnectionTokenRequest : ConnectionTokenRequest
{
    /// <summary>The Descope user ID.</summary>
    public required string UserId { get; init; }

    /// <summary>The tenant the connection belongs to, when the user connected it within a tenant.</summary>
    public string? TenantId { get; init; }
}
