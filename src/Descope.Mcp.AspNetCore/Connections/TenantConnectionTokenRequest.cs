namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A request for a tenant-level connection token (one connection shared by a tenant's users).
/// </summary>
public sealed class TenantConnectionTokenRequest : ConnectionTokenRequest
{
    /// <summary>The Descope tenant ID.</summary>
    public required string TenantId { get; init; }
}
