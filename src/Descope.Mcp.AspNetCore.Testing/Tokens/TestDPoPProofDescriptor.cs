namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// Everything about a DPoP proof a <see cref="TestDPoPKey"/> writes. Defaults describe a valid proof (RFC 9449 §4.2) for
/// the method, URL, token and nonce given to <see cref="TestDPoPKey.CreateProof(string, string, string?, string?, Action{TestDPoPProofDescriptor}?)"/>;
/// change any part to make a deliberately bad one.
/// </summary>
public sealed class TestDPoPProofDescriptor
{
    /// <summary>The <c>typ</c> header; <see langword="null"/> omits it. Default: <c>dpop+jwt</c>.</summary>
    public string? Type { get; set; } = "dpop+jwt";

    /// <summary>
    /// The <c>alg</c> header. Default: the key's algorithm. <c>none</c> writes an empty signature and <c>HS256</c> an HMAC
    /// keyed with the public key's thumbprint; any other value is written as given over the key's own signature.
    /// </summary>
    public string? Algorithm { get; set; }

    /// <summary><c>htm</c>; <see langword="null"/> omits it.</summary>
    public string? Method { get; set; }

    /// <summary><c>htu</c>; <see langword="null"/> omits it.</summary>
    public string? Url { get; set; }

    /// <summary><c>ath</c>; <see langword="null"/> omits it. Default: the hash of the access token, when one was given.</summary>
    public string? AccessTokenHash { get; set; }

    /// <summary><c>nonce</c>; <see langword="null"/> omits it.</summary>
    public string? Nonce { get; set; }

    /// <summary><c>jti</c>; <see langword="null"/> omits it. Default: a new random value for every proof.</summary>
    public string? Jti { get; set; }

    /// <summary><c>iat</c>; <see langword="null"/> omits it. Default: the key's clock now.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>Omit the <c>jwk</c> header.</summary>
    public bool OmitKey { get; set; }

    /// <summary>Write the private key members (<c>d</c>, and for RSA <c>p</c>, <c>q</c>, <c>dp</c>, <c>dq</c>, <c>qi</c>) into <c>jwk</c>.</summary>
    public bool IncludePrivateKey { get; set; }

    /// <summary>Sign with this other key while <c>jwk</c> still names the proof's own key.</summary>
    public TestDPoPKey? SignWith { get; set; }

    /// <summary>Further JOSE header parameters, written last (they replace defaults; a <see langword="null"/> value is written as JSON null).</summary>
    public IDictionary<string, object?> Header { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Further claims, written last (they replace defaults; a <see langword="null"/> value is written as JSON null).</summary>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
