using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>OAuth error answers (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2).</summary>
internal static class OAuthResults
{
    /// <summary>A JSON error body, never cached.</summary>
    public static IResult Error(string error, string description, int statusCode = StatusCodes.Status400BadRequest) =>
        new NoStoreResult(Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: statusCode));

    /// <summary>A failed client authentication: 401 with a Basic challenge (RFC 6749 §5.2).</summary>
    public static IResult InvalidClient(string description) =>
        new ChallengeResult(Error("invalid_client", description, StatusCodes.Status401Unauthorized));

    /// <summary>An authorization error sent back to a redirect URI that is known to be the client's.</summary>
    public static IResult RedirectError(string redirectUri, string error, string description, string? state, string issuer)
    {
        var query = new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["iss"] = issuer };
        if (state is not null)
        {
            query["state"] = state;
        }

        return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, query));
    }

    public static IResult NoStore(IResult result) => new NoStoreResult(result);

    private sealed class NoStoreResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[HeaderNames.CacheControl] = "no-store";
            return inner.ExecuteAsync(httpContext);
        }
    }

    private sealed class ChallengeResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"descope-test-authority\"";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
