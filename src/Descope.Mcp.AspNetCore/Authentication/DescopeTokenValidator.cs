using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// <see cref="IDescopeTokenValidator"/> on the scheme's own token handler, validation parameters and DPoP checks, so a
/// token is judged outside the HTTP pipeline exactly as the <see cref="DescopeMcpDefaults.AuthenticationScheme"/> scheme
/// judges it.
/// </summary>
internal sealed class DescopeTokenValidator(DescopeTokenHandler handler, DPoPAuthentication dpop, IOptionsMonitor<JwtBearerOptions> bearerOptions)
    : IDescopeTokenValidator
{
    public Task<DescopeTokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken = default) =>
        ValidateAsync(token, proof: null, cancellationToken);

    public Task<DescopeTokenValidationResult> ValidateDPoPTokenAsync(string token, DescopeDPoPProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return ValidateAsync(token, proof, cancellationToken);
    }

    private async Task<DescopeTokenValidationResult> ValidateAsync(string token, DescopeDPoPProof? proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        // A fresh proof is checked first and its jti used up last, once the token is valid and bound to its key.
        var provenKey = proof?.ProvenKey;
        DPoPProofResult? checkedProof = null;
        if (proof is not null && provenKey is null)
        {
            checkedProof = dpop.Validate(proof, token);
            if (!checkedProof.Value.IsValid)
            {
                return DescopeTokenValidationResult.Fail(DescopeTokenFailure.InvalidDPoPProof);
            }

            provenKey = checkedProof.Value.Thumbprint;
        }

        // A copy per call, as JwtBearer makes per request: the handler sets the current keys on it.
        var parameters = bearerOptions.Get(DescopeMcpDefaults.AuthenticationScheme).TokenValidationParameters.Clone();
        var result = await handler.ValidateAsync(token, parameters, cancellationToken);
        if (!result.IsValid)
        {
            return result;
        }

        var identity = result.Principal!.Identity as DescopeIdentity;
        var failure = dpop.CheckBinding(identity?.BoundKey, provenKey);
        if (failure != DescopeTokenFailure.None)
        {
            return DescopeTokenValidationResult.Fail(failure);
        }

        if (checkedProof is { } fresh && await dpop.UseAsync(fresh, cancellationToken) != DPoPProofFailure.None)
        {
            return DescopeTokenValidationResult.Fail(DescopeTokenFailure.InvalidDPoPProof);
        }

        identity!.ProvenKey = provenKey;
        return result;
    }
}
