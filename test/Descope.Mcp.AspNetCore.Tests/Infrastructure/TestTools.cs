using System.ComponentModel;
using System.Security.Claims;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

[McpServerToolType]
public sealed class TestTools
{
    [McpServerTool(Name = "echo"), Description("Returns the message.")]
    public static string Echo(string message) => message;

    [McpServerTool(Name = "whoami"), Description("Returns the caller's user ID.")]
    public static string WhoAmI(ClaimsPrincipal user) => user.FindFirst("sub")?.Value ?? "anonymous";
}
