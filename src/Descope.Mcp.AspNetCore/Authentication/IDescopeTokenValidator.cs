namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Validates Descope access tokens by the same rules, and with the same token handler, as the <see cref="DescopeMcpDefaults.AuthenticationScheme"/>
/// scheme, for use outside the HTTP pipeline (background jobs, other transports).
/// </summary>
public interface IDescopeTokenValidator
{
    /// <summary>
    /// Validates a compact JWS access token presented as a bearer token: signature, issuer, audience, lifetime and
    /// algorithm. A DPoP-bound token (<c>cnf.jkt</c>) is refused with <see cref="DescopeTokenFailure.DPoPProofRequired"/>:
    /// validate it with its proof (<see cref="ValidateDPoPTokenAsync"/>).
    /// </summary>
    /// <param name="token">The access token, without the <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels loading the signing keys.</param>
    /// <returns>A result that carries either the validated principal or the reason the token was refused.</returns>
    Task<DescopeTokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Validates an access token presented with a DPoP proof (<c>Authorization: DPoP</c>): the token as
    /// <see cref="ValidateTokenAsync(string, CancellationToken)"/> does, the proof (RFC 9449 §4.3: <c>typ</c>, an allowed
    /// <c>alg</c>, the signature by its own public <c>jwk</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>, <c>ath</c>, and a
    /// <c>jti</c> not used before), and that the token's <c>cnf.jkt</c> is the proof key's thumbprint. No server nonce is
    /// asked for.
    /// </summary>
    /// <param name="token">The access token, without the <c>DPoP</c> prefix.</param>
    /// <param name="proof">The DPoP proof and the request it was made for.</param>
    /// <param name="cancellationToken">Cancels loading the signing keys.</param>
    /// <returns>A result that carries either the validated principal or the reason the token or proof was refused.</returns>
    Task<DescopeTokenValidationResult> ValidateDPoPTokenAsync(string token, DescopeDPoPProof proof, CancellationToken cancellationToken = default);
}
