using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Gate;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Metadata;

/// <summary>
/// This MCP server as an OAuth protected resource: its identifier, the audiences it accepts and where its metadata lives.
/// Every value comes from configuration, never from the request, so nothing a client sends can shape a challenge.
/// </summary>
internal sealed class ProtectedResource
{
    public ProtectedResource(IOptions<DescopeMcpOptions> options, IOptions<McpServerOptions> mcpOptions)
    {
        var value = options.Value;
        Resource = value.McpServerUrl!;
        var url = new Uri(Resource);
        Audiences = [Resource, .. value.AdditionalAudiences];

        var resourcePath = url.AbsolutePath.TrimEnd('/');
        RootMetadataPath = DescopeMcpDefaults.ProtectedResourceMetadataPath;
        PathSpecificMetadataPath = RootMetadataPath + resourcePath;
        ResourceMetadataUrl = DescopeUrls.Origin(url) + PathSpecificMetadataPath;
        RequiredScopes = [.. value.RequiredScopes.Distinct(StringComparer.Ordinal)];
        ScopesSupported = value.ScopesSupported.Count > 0
            ? [.. value.ScopesSupported.Distinct(StringComparer.Ordinal)]
            : [.. RequiredScopes.Concat(McpPrimitiveRules.ScopesUsedBy(mcpOptions.Value).Order(StringComparer.Ordinal))
                .Where(scope => scope != ScopeSyntax.OfflineAccess)
                .Distinct(StringComparer.Ordinal)];
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

    /// <summary>
    /// <c>scopes_supported</c>: configured, or by default the scopes in use (required ones first, then those of tools,
    /// prompts and resources). Read once, when the server starts serving.
    /// </summary>
    public IReadOnlyList<string> ScopesSupported { get; }

    /// <summary>Scopes every request needs (<see cref="DescopeMcpOptions.RequiredScopes"/>).</summary>
    public IReadOnlyList<string> RequiredScopes { get; }
}
