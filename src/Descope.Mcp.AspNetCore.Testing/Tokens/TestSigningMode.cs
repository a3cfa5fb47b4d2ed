namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// How a minted token is signed, including the deliberately wrong ways attackers try.
/// </summary>
public enum TestSigningMode
{
    /// <summary>Signed with the authority's current (or chosen) key: a token the library should accept.</summary>
    Trusted = 0,

    /// <summary><c>alg: none</c> with an empty signature.</summary>
    AlgNone,

    /// <summary>HS256 keyed with the bytes of the authority's public RSA key (algorithm confusion).</summary>
    HmacWithPublicKey,

    /// <summary>RS256 signed by a key the authority never published.</summary>
    UntrustedKey,
}
