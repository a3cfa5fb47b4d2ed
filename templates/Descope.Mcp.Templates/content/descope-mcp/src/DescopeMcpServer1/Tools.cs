using System.ComponentModel;
using Descope.Mcp.AspNetCore;
using ModelContextProtocol.Server;

namespace DescopeMcpServer1;

/// <summary>The server's tools.</summary>
[McpServerToolType]
public sealed class Tools(IConnectionTokenService connections)
{
    /// <summary>The Descope connection (outbound app) the <c>connection_status</c> tool reads.</summary>
    public const string ConnectionAppId = "google-calendar";

    /// <summary>Callers without the <c>greet</c> scope do not see this tool, and get 403 insufficient_scope.</summary>
    [McpServerTool(Name = "greet"), RequireScopes("greet"), Description("Greets someone.")]
    public static string Greet(string name) => $"Hello, {name}!";

    /// <summary>Gets the caller's token for a Descope connection, without ever showing it.</summary>
    [McpServerTool(Name = "connection_status"), Description("Tells whether the caller has connected Google Calendar.")]
    public async Task<string> ConnectionStatus(CancellationToken cancellationToken)
    {
        try
        {
            var token = await connections.GetUserTokenAsync(ConnectionAppId, cancellationToken: cancellationToken);
            return $"Connected to {token.AppId} with scopes [{string.Join(", ", token.Scopes)}].";
        }
        catch (ConnectionTokenException ex)
        {
            return ex.Message;
        }
    }
}
