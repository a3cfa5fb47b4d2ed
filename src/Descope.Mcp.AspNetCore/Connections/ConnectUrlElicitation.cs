using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// Adaptive Connect: a <c>tools/call</c> filter that turns a <see cref="ConnectionTokenException"/> with
/// <see cref="ConnectionTokenFailure.NotConnected"/> and a connect URL, escaping the tool, into the MCP URL-mode
/// elicitation (<see cref="UrlElicitationRequiredException"/>, JSON-RPC error -32042) when the client declared URL-mode
/// elicitation: in its session capabilities (2025-11-25) or in the request's <c>_meta</c> client capabilities
/// (2026-07-28). The client opens the URL and retries. Other clients, and tools that catch the exception themselves,
/// keep the explained tool error.
/// </summary>
internal sealed class ConnectUrlElicitation(IOptions<DescopeMcpOptions> options)
{
    public McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (ConnectionTokenException ex) when (ex.Failure == ConnectionTokenFailure.NotConnected && ex.ConnectUrl is not null
                && options.Value.Connections.UseUrlElicitation && DeclaresUrlElicitation(request))
            {
                throw new UrlElicitationRequiredException(
                    ex.Message,
                    [
                        new ElicitRequestParams
                        {
                            Mode = "url",
                            ElicitationId = Guid.NewGuid().ToString("N"),
                            Url = ex.ConnectUrl.AbsoluteUri,
                            Message = ConnectionTokenMessages.ConnectPrompt(ex.AppId),
                        },
                    ]);
            }
        };

    private static bool DeclaresUrlElicitation(RequestContext<CallToolRequestParams> request) =>
        request.JsonRpcMessage.Context?.ClientCapabilities?.Elicitation?.Url is not null
        || request.Server.ClientCapabilities?.Elicitation?.Url is not null;
}
