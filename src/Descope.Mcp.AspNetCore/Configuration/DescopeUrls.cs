using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Descope.Mcp.AspNetCore.Configuration;

/// <summary>
/// The shapes of Descope's URLs and issuers.
/// </summary>
internal static class DescopeUrls
{
    internal const string DefaultBaseUrl = "https://api.descope.com";
    private const string WellKnownSuffix = "/.well-known/openid-configuration";

    /// <summary>
    /// Reads project and MCP server IDs from a discovery URL of the form
    /// <c>/v1/apps/agentic/{P}/{MS}/.well-known/openid-configuration</c> or <c>/v1/apps/{P}/.well-known/openid-configuration</c>.
    /// </summary>
    public static bool TryParseWellKnownUrl(Uri url, [NotNullWhen(true)] out string? projectId, out string? mcpServerId)
    {
        projectId = null;
        mcpServerId = null;
        var path = url.AbsolutePath;
        if (!path.EndsWith(WellKnownSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var segments = path[..^WellKnownSuffix.Length].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["v1", "apps", "agentic", var p, var ms] && IsProjectId(p) && IsMcpServerId(ms))
        {
            projectId = p;
            mcpServerId = ms;
            return true;
        }

        if (segments is ["v1", "apps", var onlyProject] && IsProjectId(onlyProject))
        {
            projectId = onlyProject;
            return true;
        }

        return false;
    }

    /// <summary>
    /// What is wrong with a configured discovery URL, in words that point at the part to fix, or <see langword="null"/>
    /// when it is a Descope discovery URL (then <paramref name="url"/> is it).
    /// </summary>
    public static string? WellKnownUrlProblem(string value, out Uri? url)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            url = null;
            return "it is not an absolute https URL";
        }

        if (!IsSecureOrLoopback(url))
        {
            url = null;
            return "http is accepted only for localhost, use https";
        }

        if (!url.AbsolutePath.EndsWith(WellKnownSuffix, StringComparison.Ordinal))
        {
            url = null;
            return $"its path must end with {WellKnownSuffix}";
        }

        if (!TryParseWellKnownUrl(url, out _, out _))
        {
            url = null;
            return $"its path must be /v1/apps/agentic/<project ID>/<MCP server ID>{WellKnownSuffix}, with a project ID such as P2abc123 and an MCP server ID such as MS2def456";
        }

        return null;
    }

    /// <summary>Whether a configured base URL is an API origin: https (http for loopback), no path, no query.</summary>
    public static bool IsApiOrigin(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && IsSecureOrLoopback(url) && url.AbsolutePath == "/" && url.Query.Length == 0;

    public static Uri DiscoveryUrl(Uri baseUrl, string projectId, string? mcpServerId) =>
        new(Combine(baseUrl, IssuerPath(projectId, mcpServerId) + WellKnownSuffix));

    public static string Issuer(Uri baseUrl, string projectId, string? mcpServerId) =>
        Combine(baseUrl, IssuerPath(projectId, mcpServerId));

    /// <summary>
    /// The Descope region rule: project IDs of 32 or more characters carry their region in characters 1 to 4.
    /// </summary>
    public static Uri RegionBaseUrl(string projectId) =>
        projectId.Length >= 32
            ? new Uri($"https://api.{projectId.Substring(1, 4).ToLowerInvariant()}.descope.com")
            : new Uri(DefaultBaseUrl);

    public static bool IsProjectId(string value) =>
        value.Length >= 2 && value[0] == 'P' && IsIdentifier(value);

    public static bool IsMcpServerId(string value) =>
        value.Length >= 3 && value.StartsWith("MS", StringComparison.Ordinal) && IsIdentifier(value);

    /// <summary>https anywhere; http only for loopback hosts.</summary>
    public static bool IsSecureOrLoopback(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url));

    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// <paramref name="value"/> with what RFC 3986 (6.2.2, 6.2.3) lets a URL's authority be normalised to: scheme and host
    /// in lower case, no default port. The path is kept as written. <see langword="null"/> when it is not an http(s) URL.
    /// </summary>
    public static string? WithNormalizedAuthority(string? value)
    {
        if (value is null || !Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return null;
        }

        var written = value.Trim();
        var authorityStart = written.IndexOf("://", StringComparison.Ordinal);
        var pathStart = authorityStart < 0 ? -1 : written.IndexOfAny(['/', '?', '#'], authorityStart + 3);
        return Origin(url) + (pathStart < 0 ? string.Empty : written[pathStart..]);
    }

    /// <summary>
    /// The form of an MCP server URL that clients compare the metadata's <c>resource</c> with: normalised authority and a
    /// path without a trailing slash or dot segments (the root path is <c>/</c>).
    /// </summary>
    public static string CanonicalResourceUrl(Uri url) =>
        Origin(url) + (url.AbsolutePath.Length > 1 ? url.AbsolutePath.TrimEnd('/') : "/");

    private static string IssuerPath(string projectId, string? mcpServerId) =>
        mcpServerId is null ? $"/v1/apps/{projectId}" : $"/v1/apps/agentic/{projectId}/{mcpServerId}";

    private static string Combine(Uri baseUrl, string path) => baseUrl.AbsoluteUri.TrimEnd('/') + path;

    private static bool IsIdentifier(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
