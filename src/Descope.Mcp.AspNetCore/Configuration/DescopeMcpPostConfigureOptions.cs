using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Configuration;

/// <summary>
/// Normalises the MCP server URL's scheme and host, and fills in what can be derived: project and MCP server IDs from the discovery URL, the base URL, and the discovery URL
/// from the IDs. Malformed values are left as they are for <see cref="DescopeMcpOptionsValidator"/> to name, and nothing is
/// derived from them, so no key that was never set is blamed for them.
/// </summary>
internal sealed class DescopeMcpPostConfigureOptions : IPostConfigureOptions<DescopeMcpOptions>
{
    public void PostConfigure(string? name, DescopeMcpOptions options)
    {
        // Scheme and host case carry no meaning; the resource echoed in metadata must match what clients connect to.
        if (DescopeUrls.WithNormalizedAuthority(options.McpServerUrl) is { } mcpServerUrl)
        {
            options.McpServerUrl = mcpServerUrl;
        }

        // Only well-formed values are derived from, so a failure names the key that was set, never one derived from it.
        Uri? wellKnown = null;
        if (!string.IsNullOrWhiteSpace(options.WellKnownUrl)
            && DescopeUrls.WellKnownUrlProblem(options.WellKnownUrl, out wellKnown) is null
            && DescopeUrls.TryParseWellKnownUrl(wellKnown!, out var projectId, out var mcpServerId))
        {
            options.ProjectId ??= projectId;
            options.McpServerId ??= mcpServerId;
        }

        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            if (wellKnown is not null)
            {
                options.BaseUrl = DescopeUrls.Origin(wellKnown);
            }
            else if (options.ProjectId is { } id && DescopeUrls.IsProjectId(id))
            {
                options.BaseUrl = DescopeUrls.RegionBaseUrl(id).AbsoluteUri.TrimEnd('/');
            }
        }

        if (string.IsNullOrWhiteSpace(options.WellKnownUrl)
            && options.ProjectId is { } p && DescopeUrls.IsProjectId(p)
            && DescopeUrls.IsApiOrigin(options.BaseUrl))
        {
            var ms = options.McpServerId is { } id && DescopeUrls.IsMcpServerId(id) ? id : null;
            options.WellKnownUrl = DescopeUrls.DiscoveryUrl(new Uri(options.BaseUrl!), p, ms).AbsoluteUri;
        }

        if (options.AllowedSigningAlgorithms.Count == 0)
        {
            options.AllowedSigningAlgorithms.Add("RS256");
        }
    }
}
