namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>Whose connection a token belongs to.</summary>
internal enum ConnectionOwner
{
    User,
    Tenant,
}
