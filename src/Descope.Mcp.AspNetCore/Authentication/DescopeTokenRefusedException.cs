using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// What the Descope token handler reports to JwtBearer for a refused token: the reason, with its fixed description as
/// the message, so nothing from the token reaches a log or the challenge.
/// </summary>
internal sealed class DescopeTokenRefusedException : SecurityTokenValidationException
{
    public DescopeTokenRefusedException(DescopeTokenFailure failure)
        : base(DescopeTokenValidationResult.Describe(failure))
    {
        Failure = failure;
    }

    public DescopeTokenFailure Failure { get; }
}
