using System.Security.Claims;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Callers;

/// <summary>
/// The user of the MCP message being handled, as the request that carried it authenticated them. Set by an incoming
/// message filter around each message's handler, because <see cref="Microsoft.AspNetCore.Http.IHttpContextAccessor"/>
/// points at the wrong request on the legacy SSE transport (the <c>GET</c> stream's).
/// </summary>
internal sealed class McpMessageCaller
{
    private static readonly AsyncLocal<McpMessageCaller?> Current = new();

    private McpMessageCaller(ClaimsPrincipal? user) => User = user;

    /// <summary>The message's user; <see langword="null"/> when the request that carried it was not authenticated.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>The message being handled in this async flow, or <see langword="null"/> outside MCP message handling.</summary>
    public static McpMessageCaller? InThisFlow => Current.Value;

    /// <summary>The incoming message filter that makes each message's user known to its handler.</summary>
    public static McpMessageHandler Filter(McpMessageHandler next) => async (context, cancellationToken) =>
    {
        // Set in this async method only: the value is gone again once the handler returns.
        Current.Value = new McpMessageCaller(context.User);
        await next(context, cancellationToken);
    };
}
