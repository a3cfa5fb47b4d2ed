using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Descope.Mcp.AspNetCore.Authentication.SigningKeys;

/// <summary>
/// <see cref="DescopeSigningKeys"/> as JwtBearer's <see cref="IConfigurationManager{T}"/>. Deliberately not a
/// <c>BaseConfigurationManager</c>: JwtBearer then asks it for the configuration itself and passes failures to
/// <c>JwtBearerEvents.OnAuthenticationFailed</c> rather than letting the token handler swallow them.
/// </summary>
/// <remarks>
/// It answers with the keys already loaded and never waits for the authority: before the first load it returns an empty
/// configuration, and the Descope token handler loads the keys once the token's shape has passed, so a malformed token is
/// refused as such, without a request to Descope, even while Descope cannot be reached. When that load fails the handler
/// reports <see cref="DescopeTokenFailure.AuthorityUnavailable"/> to <c>OnAuthenticationFailed</c>.
/// </remarks>
internal sealed class DescopeConfigurationManager(DescopeSigningKeys signingKeys) : IConfigurationManager<OpenIdConnectConfiguration>
{
    private static readonly OpenIdConnectConfiguration NotLoaded = new();

    // JwtBearer asks on every request: the completed task is reused until the configuration changes.
    private volatile Task<OpenIdConnectConfiguration> _answer = Task.FromResult(NotLoaded);

    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var configuration = signingKeys.TryGetLoaded() ?? NotLoaded;
        var answer = _answer;
        if (!ReferenceEquals(answer.Result, configuration))
        {
            _answer = answer = Task.FromResult(configuration);
        }

        return answer;
    }

    /// <summary>
    /// Does nothing: the token handler reloads the keys itself, rate-limited, when a token names an unknown key, and
    /// waits for that reload so the token that revealed a rotation is accepted.
    /// </summary>
    public void RequestRefresh()
    {
    }
}
