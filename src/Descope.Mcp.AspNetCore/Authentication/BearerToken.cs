using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Reads the bearer token of a request (RFC 6750 §2.1, header only; the scheme name is case-insensitive).
/// </summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>Returns the token, or <see langword="null"/> when the request carries no bearer credentials.</summary>
    public static string? Read(HttpRequest request)
    {
        var values = request.Headers[HeaderNames.Authorization];
        if (values.Count != 1)
        {
            return null;
        }

        var header = values[0];
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header.AsSpan(Scheme.Length).Trim();
        return token.IsEmpty ? null : token.ToString();
    }
}
