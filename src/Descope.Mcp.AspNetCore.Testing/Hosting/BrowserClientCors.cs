using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.Hosting;

/// <summary>
/// Lets browser-based MCP clients (MCP Inspector and the like) call the authority from their own origin: discovery,
/// registration and token requests get CORS headers, and preflights are answered. No credentials (cookies) are allowed
/// across origins, so the interactive pages' anti-forgery cookie is never shared.
/// </summary>
internal static class BrowserClientCors
{
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!request.Headers.ContainsKey(HeaderNames.Origin))
        {
            return next(context);
        }

        var response = context.Response;
        response.Headers[HeaderNames.AccessControlAllowOrigin] = "*";
        response.Headers[HeaderNames.AccessControlExposeHeaders] = "WWW-Authenticate, Location";
        if (HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers[HeaderNames.AccessControlAllowMethods] = "GET, POST, OPTIONS";

            // A wildcard would not cover Authorization (client_secret_basic), so the requested headers are named back.
            var requested = request.Headers[HeaderNames.AccessControlRequestHeaders].ToString();
            response.Headers[HeaderNames.AccessControlAllowHeaders] = requested.Length > 0 ? requested : "Content-Type";
            response.Headers[HeaderNames.AccessControlMaxAge] = "600";
            return Task.CompletedTask;
        }

        return next(context);
    }
}
