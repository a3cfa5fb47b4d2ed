using System.Net;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.Testing.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// <c>GET /_descope/development/token</c> on the MCP server while it runs on the development authority: a bearer token
/// for CLI clients (curl, MCP Inspector's <c>--header</c>), as plain text. It is the signed-in user's (<c>?user=</c>
/// names another declared user), with every scope the user may be granted (<c>?scope=</c>, space-separated, asks for
/// fewer), for the server's <see cref="DescopeMcpOptions.McpServerUrl"/>, valid for <see cref="Lifetime"/>. It answers
/// only a caller on this machine: a loopback connection, addressed to a loopback host (so no page can reach it through a
/// DNS name it rebinds to 127.0.0.1), and not relayed by a proxy or tunnel (no forwarding headers). It is mapped only by
/// <c>AddDescopeDevelopmentAuthority</c>, so only in Development, and answers only while the authority is in use; otherwise
/// the request goes on to the app as if the endpoint did not exist.
/// </summary>
internal sealed class DevelopmentTokenEndpoint(RequestDelegate next, DevelopmentAuthorityActivation activation, IServiceProvider services)
{
    public const string Path = "/_descope/development/token";

    /// <summary>The client the tokens name as <c>azp</c>, so the server's logs tell them from tokens of OAuth clients.</summary>
    public const string ClientId = "descope-development-token";

    /// <summary>How long a token lives: a working day.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"];

    public Task InvokeAsync(HttpContext context)
    {
        if (!string.Equals(context.Request.Path.Value, Path, StringComparison.Ordinal) || !activation.IsActive(services))
        {
            return next(context);
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            return Answer(context, StatusCodes.Status405MethodNotAllowed, "Use GET.");
        }

        if (!IsFromThisMachine(context))
        {
            return Answer(context, StatusCodes.Status403Forbidden,
                "The development token endpoint answers only requests from this machine: a loopback connection to localhost, not relayed by a proxy or tunnel.");
        }

        var authority = activation.Authority;
        var query = context.Request.Query;
        if (query.Any(p => p.Value.Count > 1))
        {
            return Answer(context, StatusCodes.Status400BadRequest, "A parameter appears more than once: send user at most once, and scope once with the scopes separated by spaces.");
        }

        var declared = string.Join(", ", authority.OAuth.Users.Keys.Order(StringComparer.Ordinal));
        var subject = query.TryGetValue("user", out var named) && !string.IsNullOrEmpty(named) ? named.ToString() : authority.SignedInUser;
        if (subject is null)
        {
            return Answer(context, StatusCodes.Status400BadRequest,
                $"No user is signed in on the development authority: name one with ?user=<subject> (declared: {(declared.Length > 0 ? declared : "none")}).");
        }

        if (!authority.OAuth.Users.TryGetValue(subject, out var user))
        {
            return Answer(context, StatusCodes.Status400BadRequest,
                $"No user with that subject is declared on the development authority (declared: {(declared.Length > 0 ? declared : "none")}).");
        }

        var requested = query.TryGetValue("scope", out var scope) ? OAuthScopes.Parse(scope.ToString()) : [.. user.Scopes.Order(StringComparer.Ordinal)];
        if (requested.FirstOrDefault(s => !ScopeSyntax.IsValidScope(s)) is not null)
        {
            return Answer(context, StatusCodes.Status400BadRequest, "scope holds a value that is not an OAuth scope: printable ASCII without quotes or backslashes, separated by spaces.");
        }

        var refused = requested.Where(s => !user.Scopes.Contains(s)).Distinct(StringComparer.Ordinal).ToArray();
        if (refused.Length > 0)
        {
            return Answer(context, StatusCodes.Status400BadRequest,
                $"{user.Subject} may not be granted {string.Join(", ", refused)} (their scopes: {string.Join(", ", user.Scopes.Order(StringComparer.Ordinal))}). " +
                "Add it to the user's scopes in AddDescopeDevelopmentAuthority(authority => ...), or ask for fewer.");
        }

        var now = authority.TimeProvider.GetUtcNow();
        var token = authority.CreateToken(t =>
        {
            TokenIssuer.DescribeUser(t, user);
            t.IssuedAt = now;
            t.ExpiresAt = now + Lifetime;
            t.Claims["azp"] = ClientId;
            foreach (var granted in requested.Distinct(StringComparer.Ordinal))
            {
                t.Scopes.Add(granted);
            }
        });
        return Answer(context, StatusCodes.Status200OK, token);
    }

    /// <summary>The first address the server listens on, as a client on this machine reaches it, followed by <see cref="Path"/>.</summary>
    public static string UrlOn(IEnumerable<string> serverAddresses, string fallbackServerUrl)
    {
        var addresses = serverAddresses.Select(DevelopmentMcpServerUrl.ReachableOrigin).OfType<string>().ToList();

        // curl and Node refuse the development certificate unless it is trusted: an http address is the one that works.
        var origin = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault()
            ?? DevelopmentMcpServerUrl.ReachableOrigin(fallbackServerUrl) ?? DevelopmentMcpServerUrl.DefaultServerUrl;
        return origin + Path;
    }

    private static bool IsFromThisMachine(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return false;
        }

        if (ForwardingHeaders.Any(context.Request.Headers.ContainsKey))
        {
            return false;
        }

        var host = context.Request.Host.Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    private static Task Answer(HttpContext context, int statusCode, string text)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers[HeaderNames.CacheControl] = "no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return response.WriteAsync(text + "\n", context.RequestAborted);
    }

    /// <summary>Puts the endpoint first in the app's pipeline, so the app maps nothing for it.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<DevelopmentTokenEndpoint>();
            next(app);
        };
    }
}
