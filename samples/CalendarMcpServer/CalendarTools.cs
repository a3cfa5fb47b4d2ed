using System.ComponentModel;
using System.Security.Claims;
using Descope.Mcp.AspNetCore;
using ModelContextProtocol.Server;

namespace CalendarMcpServer;

/// <summary>The calendar sample's tools.</summary>
[McpServerToolType]
public sealed class CalendarTools
{
    /// <summary>Tells who is calling, as the validated Descope token says.</summary>
    [McpServerTool(Name = "whoami"), Description("Returns the signed-in Descope user and the scopes granted to this MCP client.")]
    public static string WhoAmI(ClaimsPrincipal user) =>
        $"user: {user.FindFirst(DescopeClaimTypes.Subject)?.Value}; scopes: {user.FindFirst(DescopeClaimTypes.Scope)?.Value ?? "(none)"}";
}
