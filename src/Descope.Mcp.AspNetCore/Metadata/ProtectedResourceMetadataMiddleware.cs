using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Metadata;

/// <summary>
/// Answers <c>/.well-known/oauth-protected-resource</c> and its path-specific form with RFC 9728 metadata: anonymous,
/// CORS-enabled, GET and HEAD only. It runs before routing so it needs no endpoint mapping from the app.
/// </summary>
internal sealed class ProtectedResourceMetadataMiddleware(RequestDelegate next, ProtectedResource resource, DescopeProject project, DPoPAuthentication dpop)
{
    private const string AllowedMethods = "GET, HEAD, OPTIONS";

    private readonly byte[] _document = Document(resource, project, dpop);

    private static byte[] Document(ProtectedResource resource, DescopeProject project, DPoPAuthentication dpop)
    {
        var document = new Dictionary<string, object>
        {
            ["resource"] = resource.Resource,
            ["authorization_servers"] = new[] { project.AuthorizationServer },
            ["scopes_supported"] = resource.ScopesSupported,
            ["bearer_methods_supported"] = new[] { "header" },
            ["dpop_signing_alg_values_supported"] = dpop.Algorithms,
        };
        if (dpop.Required)
        {
            document["dpop_bound_access_tokens_required"] = true;
        }

        return JsonSerializer.SerializeToUtf8Bytes(document);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is null
            || !path.StartsWith(DescopeMcpDefaults.ProtectedResourceMetadataPath, StringComparison.Ordinal)
            || !(path.Equals(resource.RootMetadataPath, StringComparison.Ordinal)
                 || path.Equals(resource.PathSpecificMetadataPath, StringComparison.Ordinal)))
        {
            return next(context);
        }

        var request = context.Request;
        var response = context.Response;
        response.Headers[HeaderNames.AccessControlAllowOrigin] = "*";

        if (HttpMethods.IsOptions(request.Method))
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers[HeaderNames.AccessControlAllowMethods] = AllowedMethods;
            response.Headers[HeaderNames.AccessControlAllowHeaders] = "*";
            response.Headers[HeaderNames.AccessControlMaxAge] = "86400";
            return Task.CompletedTask;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers[HeaderNames.Allow] = AllowedMethods;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = _document.Length;
        response.Headers[HeaderNames.CacheControl] = "public, max-age=3600";
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(_document, context.RequestAborted).AsTask();
    }
}
