namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Validates Descope access tokens by the same rules, and with the same token handler, as the <see cref="DescopeMcpDefaults.AuthenticationScheme"/>
/// scheme, for use outside the HTTP pipeline (background jobs, other transports).
/// </summary>
public interface IDescopeTokenValidator
{
    /// <summary>Validates a compact JWS access token: signature, issuer, audience, lifetime and algorithm.</summary>
    /// <param name="token">The access token, without the <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels loading the signing keys.</param>
    /// <returns>A result that carries either the validated principal or the reason the token was refused.</returns>
    Task<DescopeTokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken = default);
}
