using System.Text;
using Descope.Mcp.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Elicitation;

/// <summary>
/// Answers <c>GET &lt;MCP path&gt;/elicitations/{id}/complete</c>, where the connect page returns the user after a URL
/// elicitation: sends <c>notifications/elicitation/complete</c> to the MCP session that received the elicitation and
/// tells the user to return to their MCP client (or, with <see cref="ConnectionTokenOptions.ConnectRedirectUrl"/>,
/// sends them there). It runs before routing and authentication: the browser carries no token, and the unguessable,
/// one-time ID is the only thing that selects a session. Every other ID gets the same plain 404 page.
/// </summary>
internal sealed class UrlElicitationCompletionMiddleware(
    RequestDelegate next,
    UrlElicitationCompletions completions,
    IOptions<DescopeMcpOptions> options,
    TimeProvider time,
    ILogger<UrlElicitationCompletionMiddleware> logger)
{
    /// <summary>How long the notification may take; the page does not wait longer for a slow stream.</summary>
    private static readonly TimeSpan NotificationTimeout = TimeSpan.FromSeconds(5);

    private static readonly byte[] CompletedPage = Page(
        "Done",
        "You can close this page and return to your MCP client.");

    private static readonly byte[] UnknownPage = Page(
        "This link is not valid",
        "It is unknown, has expired or was already used. If you have just connected an app, return to your MCP client and try again.");

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is null || !options.Value.Connections.UseUrlElicitation || !completions.IsCompletionPath(path, out var elicitationId))
        {
            return next(context);
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            // Only a browser's GET uses up the ID; a HEAD from a link checker must not.
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers[HeaderNames.Allow] = HttpMethods.Get;
            return Task.CompletedTask;
        }

        return CompleteAsync(context, elicitationId);
    }

    private async Task CompleteAsync(HttpContext context, string? elicitationId)
    {
        var session = elicitationId is null ? null : completions.Take(elicitationId);
        if (session is null)
        {
            await WriteAsync(context.Response, StatusCodes.Status404NotFound, UnknownPage, context.RequestAborted);
            return;
        }

        await NotifyAsync(session, elicitationId!);
        if (options.Value.Connections.ConnectRedirectUrl is { Length: > 0 } redirectUrl)
        {
            SetPageHeaders(context.Response);
            context.Response.Redirect(redirectUrl);
            return;
        }

        await WriteAsync(context.Response, StatusCodes.Status200OK, CompletedPage, context.RequestAborted);
    }

    private async Task NotifyAsync(McpServer session, string elicitationId)
    {
        // Independent of the browser's request: the user closing the page must not keep the client waiting.
        using var timeout = new CancellationTokenSource(NotificationTimeout, time);
        try
        {
            await session.SendNotificationAsync(
                NotificationMethods.ElicitationCompleteNotification,
                new ElicitationCompleteNotificationParams { ElicitationId = elicitationId },
                McpJsonUtilities.DefaultOptions,
                timeout.Token);
            ConnectionsLog.UrlElicitationCompleted(logger);
        }
        catch (Exception ex)
        {
            // The session may have closed meanwhile; the user is told to return to the client either way.
            ConnectionsLog.UrlElicitationNotificationFailed(logger, ex);
        }
    }

    private static Task WriteAsync(HttpResponse response, int statusCode, byte[] page, CancellationToken cancellationToken)
    {
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.Length;
        SetPageHeaders(response);
        return response.Body.WriteAsync(page, cancellationToken).AsTask();
    }

    private static void SetPageHeaders(HttpResponse response)
    {
        response.Headers[HeaderNames.CacheControl] = "no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";

        // The URL holds the elicitation ID: no Referer carries it to the next page.
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers[HeaderNames.ContentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";
    }

    private static byte[] Page(string title, string message) => Encoding.UTF8.GetBytes($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}</style>
        </head>
        <body>
        <h1>{{title}}</h1>
        <p>{{message}}</p>
        </body>
        </html>
        """);
}
