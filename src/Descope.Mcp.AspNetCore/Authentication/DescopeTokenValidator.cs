using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// <see cref="IDescopeTokenValidator"/> on the scheme's own token handler and validation parameters, so a token is
/// judged outside the HTTP pipeline exactly as the <see cref="DescopeMcpDefaults.AuthenticationScheme"/> scheme judges it.
/// </summary>
internal sealed class DescopeTokenValidator(DescopeTokenHandler handler, IOptionsMonitor<JwtBearerOptions> bearerOptions) : IDescopeTokenValidator
{
    public Task<DescopeTokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);

        // A copy per call, as JwtBearer makes per request: the handler sets the current keys on it.
        var parameters = bearerOptions.Get(DescopeMcpDefaults.AuthenticationScheme).TokenValidationParameters.Clone();
        return handler.ValidateAsync(token, parameters, cancellationToken);
    }
}
