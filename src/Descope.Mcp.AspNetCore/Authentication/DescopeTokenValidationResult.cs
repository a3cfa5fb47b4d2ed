using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The outcome of validating a Descope access token.
/// </summary>
public sealed class DescopeTokenValidationResult
{
    private DescopeTokenValidationResult(ClaimsPrincipal? principal, DescopeTokenFailure failure, DateTimeOffset? expiresAt, SecurityToken? securityToken)
    {
        Principal = principal;
        Failure = failure;
        ExpiresAt = expiresAt;
        SecurityToken = securityToken;
    }

    /// <summary>Whether the token was accepted.</summary>
    public bool IsValid => Principal is not null;

    /// <summary>The validated principal with the token's claims under their JWT names (<c>sub</c>, <c>scope</c>, ...).</summary>
    public ClaimsPrincipal? Principal { get; }

    /// <summary>Why the token was refused, or <see cref="DescopeTokenFailure.None"/>.</summary>
    public DescopeTokenFailure Failure { get; }

    /// <summary>When a valid token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The validated token, parsed (what JwtBearer's <c>TokenValidatedContext.SecurityToken</c> carries).</summary>
    internal SecurityToken? SecurityToken { get; }

    /// <summary>A fixed, human-readable description of <see cref="Failure"/> that never contains token content.</summary>
    public string? FailureDescription => Describe(Failure);

    internal static DescopeTokenValidationResult Success(ClaimsPrincipal principal, SecurityToken securityToken) =>
        new(principal, DescopeTokenFailure.None, new DateTimeOffset(securityToken.ValidTo, TimeSpan.Zero), securityToken);

    internal static DescopeTokenValidationResult Fail(DescopeTokenFailure failure) => new(null, failure, null, null);

    internal static string? Describe(DescopeTokenFailure failure) => failure switch
    {
        DescopeTokenFailure.None => null,
        DescopeTokenFailure.Malformed => "The access token is malformed",
        DescopeTokenFailure.UnsupportedAlgorithm => "The access token is not signed with an accepted algorithm",
        DescopeTokenFailure.UnsupportedHeader => "The access token uses an unsupported header parameter",
        DescopeTokenFailure.InvalidSignature => "The access token signature is invalid",
        DescopeTokenFailure.Expired => "The access token expired",
        DescopeTokenFailure.NotYetValid => "The access token is not valid yet",
        DescopeTokenFailure.MissingExpiration => "The access token has no expiration",
        DescopeTokenFailure.InvalidIssuer => "The access token issuer is not trusted",
        DescopeTokenFailure.InvalidAudience => "The access token was issued for another resource",
        DescopeTokenFailure.AuthorityUnavailable => "The authorization server's signing keys are unavailable",
        DescopeTokenFailure.InvalidDPoPProof => "The DPoP proof is invalid",
        DescopeTokenFailure.DPoPNonceRequired => "The DPoP proof needs a current server nonce",
        DescopeTokenFailure.DPoPProofRequired => "The access token is DPoP-bound and needs a DPoP proof",
        DescopeTokenFailure.NotDPoPBound => "The access token is not DPoP-bound",
        DescopeTokenFailure.DPoPRequired => "This resource requires DPoP-bound access tokens",
        DescopeTokenFailure.UnsupportedBinding => "The access token is bound in a way this resource cannot verify",
        _ => "The access token is invalid",
    };
}
