using Descope.Mcp.AspNetCore.Descope;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Metadata;

/// <summary>
/// This MCP server as an OAuth protected resource: its identifier, the audiences it accepts and where its metadata lives.
/// Every value comes from configuration, never from the request, so nothing a client sends can shape a challenge.
/// </summary>
internal sealed class ProtectedResource
{
    public ProtectedResource(IOptions<DescopeMcpOptions> options)
    {
        var value = options.Value;
        Resource = value.McpServerUrl!;
        var url = new Uri(Resource);
        Audiences = [Resource, .. value.AdditionalAudiences];

        var resourcePath = url.AbsolutePath.TrimEnd('/');
        RootMetadataPath = DescopeMcpDefaults.ProtectedResourceMetadataPath;
        PathSpecificMetadataPath = RootMetadataPath + resourcePath;
        ResourceMetadataUrl = DescopeUrls.Origin(url) + PathSpecificMetadataPath;
        ScopesSupported = [.. value.ScopesSupported.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The canonical MCP server URL: <c>resource</c> in metadata and the required audience.</summary>
    public string Resource { get; }

    public IReadOnlyList<string> Audiences { get; }

    /// <summary><c>/.well-known/oauth-protected-resource</c>.</summary>
    public string RootMetadataPath { get; }

    /// <summary><c>/.well-known/oauth-protected-resource/&lt;path of the MCP server URL&gt;</c>.</summary>
    public string PathSpecificMetadataPath { get; }

    /// <summary>The absolute URL sent as <c>resource_metadata</c> in challenges.</summary>
    public string ResourceMetadataUrl { get; }

    public IReadOnlyList<string> ScopesSupported { get; }
}
