namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Why a Descope access token was refused.
/// </summary>
public enum DescopeTokenFailure
{
    /// <summary>The token was accepted.</summary>
    None = 0,

    /// <summary>The token is not a compact, signed JWT (wrong shape, bad encoding, encrypted, too large).</summary>
    Malformed,

    /// <summary>The token is unsigned or signed with an algorithm that is not allowed.</summary>
    UnsupportedAlgorithm,

    /// <summary>The token uses a header parameter that is not accepted (<c>crit</c>, <c>jku</c>, <c>x5u</c>, <c>jwk</c>).</summary>
    UnsupportedHeader,

    /// <summary>The signature does not verify with any of the project's signing keys.</summary>
    InvalidSignature,

    /// <summary>The token has expired.</summary>
    Expired,

    /// <summary>The token is not valid yet (<c>nbf</c> in the future).</summary>
    NotYetValid,

    /// <summary>The token has no <c>exp</c> claim.</summary>
    MissingExpiration,

    /// <summary>The issuer is not this Descope project.</summary>
    InvalidIssuer,

    /// <summary>The token was issued for another resource.</summary>
    InvalidAudience,

    /// <summary>The token is invalid for another reason.</summary>
    Invalid,

    /// <summary>The project's discovery document or signing keys could not be loaded; the token was not judged.</summary>
    AuthorityUnavailable,

    /// <summary>The DPoP proof (RFC 9449 §4.3) is missing, invalid, for another request or key, or was already used.</summary>
    InvalidDPoPProof,

    /// <summary>The DPoP proof lacks a current server nonce; the response carries one in <c>DPoP-Nonce</c>.</summary>
    DPoPNonceRequired,

    /// <summary>The token is DPoP-bound (<c>cnf.jkt</c>) but was presented as a bearer token, without a proof.</summary>
    DPoPProofRequired,

    /// <summary>The token was presented with the DPoP scheme but is not bound to a key.</summary>
    NotDPoPBound,

    /// <summary>The server requires DPoP-bound tokens (<see cref="DPoPOptions.Required"/>) and got a bearer token.</summary>
    DPoPRequired,

    /// <summary>
    /// The token carries a confirmation (<c>cnf</c>) this server cannot verify: anything but one <c>jkt</c> member naming a
    /// DPoP key (for example an mTLS <c>x5t#S256</c> binding, a <c>jwk</c>, or a <c>cnf</c> that is no object). A bound
    /// token is never accepted as an unbound one.
    /// </summary>
    UnsupportedBinding,
}
