using Descope.Mcp.AspNetCore.Descope;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The project's discovery document and signing keys, cached and refreshed by IdentityModel's configuration manager:
/// automatic refresh on an interval, and at most one extra refresh per <see cref="DescopeMcpOptions.KeyRefreshInterval"/>
/// when a token names an unknown key. A failed refresh keeps the last good keys.
/// </summary>
internal sealed class DescopeSigningKeys
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;

    public DescopeSigningKeys(DescopeProject project, IHttpClientFactory httpClientFactory, IOptions<DescopeMcpOptions> options)
    {
        var value = options.Value;
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            project.DiscoveryUrl.AbsoluteUri,
            new OpenIdConnectConfigurationRetriever(),
            new DescopeDocumentRetriever(httpClientFactory, value.BackchannelTimeout))
        {
            AutomaticRefreshInterval = value.AutomaticKeyRefreshInterval,
            RefreshInterval = value.KeyRefreshInterval,
        };
    }

    /// <summary>The current configuration; throws when none was ever loaded and the authority cannot be reached.</summary>
    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken) =>
        _manager.GetConfigurationAsync(cancellationToken);

    /// <summary>Asks for a refresh; the manager rate-limits it to one per refresh interval.</summary>
    public void RequestRefresh() => _manager.RequestRefresh();
}
