namespace Descope.Mcp.AspNetCore.Endpoints;

/// <summary>Marks an endpoint whose Descope protection is already in place.</summary>
internal sealed class DescopeProtectionMarker
{
    public static readonly DescopeProtectionMarker Instance = new();
}
