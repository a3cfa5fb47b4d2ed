namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>What a DPoP proof must match: the request it came with, the token it presents and the validator's policy.</summary>
internal readonly struct DPoPProofExpectations
{
    /// <summary>The HTTP method of the request (<c>htm</c>), compared exactly.</summary>
    public required string Method { get; init; }

    /// <summary>
    /// The request's URL without query and fragment (<c>htu</c>), as <see cref="DPoPProofValidator.NormalizeUrl(Uri)"/>
    /// writes it: the proof's <c>htu</c> is normalized the same way before an ordinal comparison.
    /// </summary>
    public required string Url { get; init; }

    /// <summary>The access token the proof must hash in <c>ath</c>, or <see langword="null"/> when none is presented.</summary>
    public string? AccessToken { get; init; }

    /// <summary>The <c>alg</c> values accepted.</summary>
    public required IReadOnlyCollection<string> AllowedAlgorithms { get; init; }

    /// <summary>How far <c>iat</c> may lie before or after <see cref="Now"/> (both edges accepted).</summary>
    public required TimeSpan IssuedAtWindow { get; init; }

    /// <summary>The validator's current time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>
    /// When set, a nonce is required and must pass this check, given the nonce and the thumbprint of the proof's key;
    /// when <see langword="null"/>, any nonce is ignored.
    /// </summary>
    public Func<string, string, bool>? IsValidNonce { get; init; }
}
