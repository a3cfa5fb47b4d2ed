namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A DPoP proof (RFC 9449) presented with an access token, and the request it was made for, for
/// <see cref="IDescopeTokenValidator.ValidateDPoPTokenAsync"/>.
/// </summary>
public sealed class DescopeDPoPProof
{
    /// <summary>Creates the proof to check.</summary>
    /// <param name="proof">The proof JWT, the value of the <c>DPoP</c> header.</param>
    /// <param name="method">The HTTP method of the request the proof was presented with (<c>htm</c>).</param>
    /// <param name="url">The absolute URL of that request (<c>htu</c>; query and fragment are ignored).</param>
    public DescopeDPoPProof(string proof, string method, Uri url)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(url);
        Proof = proof;
        Method = method;
        Url = url;
    }

    private DescopeDPoPProof(string provenKey)
    {
        Proof = string.Empty;
        Method = string.Empty;
        Url = new Uri("urn:dpop:proven");
        ProvenKey = provenKey;
    }

    /// <summary>The proof JWT.</summary>
    public string Proof { get; }

    /// <summary>The HTTP method the proof must name.</summary>
    public string Method { get; }

    /// <summary>The URL the proof must name.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The thumbprint of a key whose proof this library already accepted for the request that carried the token; such a
    /// proof is not checked (or used up) again.
    /// </summary>
    internal string? ProvenKey { get; }

    /// <summary>A key this library already saw proven for the token; only the library makes these.</summary>
    internal static DescopeDPoPProof Proven(string thumbprint) => new(thumbprint);
}
