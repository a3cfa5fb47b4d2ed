using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Configuration;

/// <summary>
/// The Descope project this server trusts, resolved once from validated <see cref="DescopeMcpOptions"/>.
/// </summary>
internal sealed class DescopeProject
{
    private const string WellKnownSuffix = "/.well-known/openid-configuration";

    public DescopeProject(IOptions<DescopeMcpOptions> options)
    {
        var value = options.Value;
        ProjectId = value.ProjectId!;
        McpServerId = value.McpServerId;
        BaseUrl = new Uri(value.BaseUrl!);
        DiscoveryUrl = new Uri(value.WellKnownUrl!);
        var discovery = DiscoveryUrl.AbsoluteUri;
        AuthorizationServer = discovery.EndsWith(WellKnownSuffix, StringComparison.Ordinal) ? discovery[..^WellKnownSuffix.Length] : discovery;
        Issuers = new DescopeIssuerRule(ProjectId, BaseUrl);
    }

    public string ProjectId { get; }

    public string? McpServerId { get; }

    /// <summary>The Descope API origin for management calls such as connection tokens.</summary>
    public Uri BaseUrl { get; }

    public Uri DiscoveryUrl { get; }

    /// <summary>The issuer URL of the MCP Server's authorization server, as advertised to clients.</summary>
    public string AuthorizationServer { get; }

    public DescopeIssuerRule Issuers { get; }
}
