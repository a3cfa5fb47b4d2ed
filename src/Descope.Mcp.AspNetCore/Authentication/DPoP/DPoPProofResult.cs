namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// The outcome of validating one DPoP proof. A refusal carries only a reason, never proof text; an accepted proof
/// carries what the caller needs for binding and replay checks.
/// </summary>
internal readonly struct DPoPProofResult
{
    private DPoPProofResult(DPoPProofFailure failure, string? thumbprint, string? jti, DateTimeOffset issuedAt, string? nonce)
    {
        Failure = failure;
        Thumbprint = thumbprint;
        Jti = jti;
        IssuedAt = issuedAt;
        Nonce = nonce;
    }

    /// <summary>Whether the proof was accepted.</summary>
    public bool IsValid => Failure == DPoPProofFailure.None;

    /// <summary>Why the proof was refused, or <see cref="DPoPProofFailure.None"/>.</summary>
    public DPoPProofFailure Failure { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint of the proof's <c>jwk</c>, base64url (what <c>cnf.jkt</c> must equal).</summary>
    public string? Thumbprint { get; }

    /// <summary>The proof's <c>jti</c>.</summary>
    public string? Jti { get; }

    /// <summary>The proof's <c>iat</c>.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>The proof's <c>nonce</c>, when it has one.</summary>
    public string? Nonce { get; }

    /// <summary>A fixed description of <see cref="Failure"/>; never contains proof or token text.</summary>
    public string? Description => Describe(Failure);

    public static DPoPProofResult Success(string thumbprint, string jti, DateTimeOffset issuedAt, string? nonce) =>
        new(DPoPProofFailure.None, thumbprint, jti, issuedAt, nonce);

    /// <summary>
    /// A refusal. <paramref name="thumbprint"/> is the proof key's when the key is known good and the refusal is for want
    /// of a nonce: the next nonce is issued for that key.
    /// </summary>
    public static DPoPProofResult Fail(DPoPProofFailure failure, string? thumbprint = null) => new(failure, thumbprint, null, default, null);

    public static string? Describe(DPoPProofFailure failure) => failure switch
    {
        DPoPProofFailure.None => null,
        DPoPProofFailure.Missing => "The request has no DPoP proof",
        DPoPProofFailure.Multiple => "The request has more than one DPoP proof",
        DPoPProofFailure.Malformed => "The DPoP proof is malformed",
        DPoPProofFailure.InvalidType => "The DPoP proof has the wrong type",
        DPoPProofFailure.UnsupportedAlgorithm => "The DPoP proof is not signed with an accepted algorithm",
        DPoPProofFailure.InvalidKey => "The DPoP proof key is missing or unusable",
        DPoPProofFailure.InvalidSignature => "The DPoP proof signature is invalid",
        DPoPProofFailure.MissingClaim => "The DPoP proof lacks a required claim",
        DPoPProofFailure.MethodMismatch => "The DPoP proof is for another HTTP method",
        DPoPProofFailure.UrlMismatch => "The DPoP proof is for another URL",
        DPoPProofFailure.IssuedAtOutOfRange => "The DPoP proof is too old or from the future",
        DPoPProofFailure.AccessTokenHashMismatch => "The DPoP proof is not for this access token",
        DPoPProofFailure.InvalidNonce => "The DPoP proof needs a current server nonce",
        DPoPProofFailure.KeyMismatch => "The access token is bound to another key",
        DPoPProofFailure.Replayed => "The DPoP proof was already used",
        DPoPProofFailure.ReplayCheckUnavailable => "The DPoP proof could not be checked for reuse",
        _ => "The DPoP proof is invalid",
    };
}
