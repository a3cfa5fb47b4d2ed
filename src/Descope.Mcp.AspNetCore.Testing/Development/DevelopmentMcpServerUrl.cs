using Microsoft.Extensions.Configuration;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// The MCP server URL assumed in development when none is configured: the server's first URL (<c>urls</c>, as set by
/// <c>ASPNETCORE_URLS</c>, <c>--urls</c> or a launch profile's <c>applicationUrl</c>) followed by <c>/mcp</c>.
/// </summary>
internal static class DevelopmentMcpServerUrl
{
    public const string DefaultServerUrl = "http://localhost:5000";

    public const string McpPath = "mcp";

    public static string From(IConfiguration configuration)
    {
        var first = (configuration["urls"] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? DefaultServerUrl;
        return new Uri(new Uri((ReachableOrigin(first) ?? DefaultServerUrl) + "/"), McpPath).AbsoluteUri;
    }

    /// <summary>
    /// The origin at which a client on this machine reaches a server listening on <paramref name="url"/> (a wildcard host
    /// becomes <c>localhost</c>), or <see langword="null"/> when it is not a URL.
    /// </summary>
    public static string? ReachableOrigin(string url)
    {
        // Wildcard hosts listen everywhere; clients reach them on localhost.
        var reachable = url.Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal);
        return Uri.TryCreate(reachable, UriKind.Absolute, out var server) ? server.GetLeftPart(UriPartial.Authority) : null;
    }
}
