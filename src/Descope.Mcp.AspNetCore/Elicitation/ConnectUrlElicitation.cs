using Descope.Mcp.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Elicitation;

/// <summary>
/// Adaptive Connect: a <c>tools/call</c> filter that turns a <see cref="ConnectionTokenException"/> with
/// <see cref="ConnectionTokenFailure.NotConnected"/> and a connect URL, escaping the tool, into the MCP URL-mode
/// elicitation (<see cref="UrlElicitationRequiredException"/>, JSON-RPC error -32042) when the client declared URL-mode
/// elicitation: in its session capabilities (2025-11-25) or in the request's <c>_meta</c> client capabilities
/// (2026-07-28). The client opens the URL and retries. Other clients, and tools that catch the exception themselves,
/// keep the explained tool error.
/// </summary>
/// <remarks>
/// Where the server can reach the client later, on a session (stateful Streamable HTTP, legacy SSE), the connect URL
/// returns the user to this server's <see cref="UrlElicitationCompletionMiddleware"/>, which sends
/// <c>notifications/elicitation/complete</c> to the session. A stateless request has no such channel: its elicitation
/// carries the connect URL as it was.
/// </remarks>
internal sealed class ConnectUrlElicitation(
    IOptions<DescopeMcpOptions> options,
    UrlElicitationCompletions completions,
    IHttpContextAccessor httpContextAccessor,
    ILogger<ConnectUrlElicitation> logger)
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
                var (elicitationId, connectUrl) = await CompletableAsync(request, ex, cancellationToken)
                    ?? (UrlElicitationCompletions.NewElicitationId(), ex.ConnectUrl);
                throw new UrlElicitationRequiredException(
                    ex.Message,
                    [
                        new ElicitRequestParams
                        {
                            Mode = "url",
                            ElicitationId = elicitationId,
                            Url = connectUrl.AbsoluteUri,
                            Message = ConnectionTokenMessages.ConnectPrompt(ex.AppId),
                        },
                    ]);
            }
        };

    /// <summary>
    /// On a session: a new elicitation ID remembered for it, and a connect URL that returns the user to its completion
    /// URL. <see langword="null"/> when there is no session or Descope did not hand out that URL.
    /// </summary>
    private async Task<(string ElicitationId, Uri ConnectUrl)?> CompletableAsync(
        RequestContext<CallToolRequestParams> request, ConnectionTokenException notConnected, CancellationToken cancellationToken)
    {
        // The session's own server (the request's is bound to its POST response): the SDK puts it in the HttpContext.
        if (request.Server.SessionId is not { } sessionId
            || httpContextAccessor.HttpContext?.Features.Get<McpServer>() is not { } session
            || session.SessionId != sessionId
            || request.Services?.GetService<IConnectionTokenService>() is not { } connections
            || !completions.TryRegister(session, CallerOf(request, sessionId), out var elicitationId))
        {
            return null;
        }

        try
        {
            var connectUrl = await connections.GetConnectUrlAsync(
                notConnected.AppId,
                notConnected.ConnectScopes,
                notConnected.ConnectTenantId,
                completions.CompletionUrl(elicitationId),
                cancellationToken);
            return (elicitationId, connectUrl);
        }
        catch (ConnectionTokenException ex)
        {
            completions.Forget(elicitationId);
            ConnectionsLog.CompletableConnectUrlUnavailable(logger, notConnected.AppId, ex.Failure);
            return null;
        }
    }

    /// <summary>
    /// Whose share of pending completions an elicitation takes: the user's (one user's sessions share one), or the
    /// session's when the token names no user.
    /// </summary>
    private static string CallerOf(RequestContext<CallToolRequestParams> request, string sessionId) =>
        request.User?.GetUserId() is { Length: > 0 } userId ? "user:" + userId : "session:" + sessionId;

    private static bool DeclaresUrlElicitation(RequestContext<CallToolRequestParams> request) =>
        request.JsonRpcMessage.Context?.ClientCapabilities?.Elicitation?.Url is not null
        || request.Server.ClientCapabilities?.Elicitation?.Url is not null;
}
