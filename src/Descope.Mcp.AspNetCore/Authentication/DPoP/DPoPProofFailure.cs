namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>Why a DPoP proof (RFC 9449 §4.3) or the binding of a token to it was refused.</summary>
internal enum DPoPProofFailure
{
    /// <summary>The proof was accepted.</summary>
    None = 0,

    /// <summary>The request has no <c>DPoP</c> header.</summary>
    Missing,

    /// <summary>The request has more than one <c>DPoP</c> header.</summary>
    Multiple,

    /// <summary>The proof is not a compact JWS with JSON object header and payload, or is too large.</summary>
    Malformed,

    /// <summary>The <c>typ</c> header is not <c>dpop+jwt</c>.</summary>
    InvalidType,

    /// <summary>The <c>alg</c> header is not an allowed asymmetric algorithm.</summary>
    UnsupportedAlgorithm,

    /// <summary>The <c>jwk</c> header is missing, not a usable public key, carries private members or does not fit <c>alg</c>.</summary>
    InvalidKey,

    /// <summary>The signature does not verify with the header's <c>jwk</c>.</summary>
    InvalidSignature,

    /// <summary>A required claim (<c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>) is missing or of the wrong type.</summary>
    MissingClaim,

    /// <summary><c>htm</c> is not the request's method.</summary>
    MethodMismatch,

    /// <summary><c>htu</c> is not the request's URL.</summary>
    UrlMismatch,

    /// <summary><c>iat</c> is outside the accepted window around now.</summary>
    IssuedAtOutOfRange,

    /// <summary><c>ath</c> is missing or is not the hash of the access token.</summary>
    AccessTokenHashMismatch,

    /// <summary>A nonce is required and the proof has none, or not a valid, current one.</summary>
    InvalidNonce,

    /// <summary>The access token's <c>cnf.jkt</c> is not the thumbprint of the proof's key.</summary>
    KeyMismatch,

    /// <summary>The proof's <c>jti</c> was already used.</summary>
    Replayed,

    /// <summary>
    /// Redis, which decides a proof's first use across instances when it is configured, did not answer: the proof is
    /// refused, since it cannot be shown unused.
    /// </summary>
    ReplayCheckUnavailable,
}
