namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>Whose connection a token belongs to.</summary>
internal enum ConnectionOwner
{
    User,
    Tenant,
}
