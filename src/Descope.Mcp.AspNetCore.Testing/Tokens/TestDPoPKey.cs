using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A DPoP key pair as a client holds it (RFC 9449): its public JWK thumbprint, for binding tokens to it
/// (<see cref="TestTokenDescriptor.DPoPThumbprint"/>), and a writer of proofs signed with it, valid or deliberately bad.
/// </summary>
public sealed class TestDPoPKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, object?> _publicJwk;
    private readonly Dictionary<string, object?> _privateJwk;

    private TestDPoPKey(string algorithm, AsymmetricAlgorithm key, TimeProvider time)
    {
        Algorithm = algorithm;
        _key = key;
        _time = time;
        (_publicJwk, _privateJwk) = key switch
        {
            ECDsa ec => EcJwk(ec),
            RSA rsa => RsaJwk(rsa),
            _ => throw new NotSupportedException("Only EC and RSA keys are supported."),
        };

        // Computed by IdentityModel, independently of the library's own thumbprint, so tests cross-check both.
        var jwk = new JsonWebKey(JsonSerializer.Serialize(_publicJwk));
        Thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    /// <summary>The key's signing algorithm: ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384 or PS512.</summary>
    public string Algorithm { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint of the public key, base64url: the <c>cnf.jkt</c> of tokens bound to it.</summary>
    public string Thumbprint { get; }

    /// <summary>The public key as a JWK (<c>kty</c>, <c>crv</c>/<c>x</c>/<c>y</c> or <c>n</c>/<c>e</c>).</summary>
    public IReadOnlyDictionary<string, object?> PublicJwk => _publicJwk;

    /// <summary>Creates a new key for <paramref name="algorithm"/> (RSA keys are 2048 bits).</summary>
    /// <param name="algorithm">ES256 (the default), ES384, ES512, RS256, RS384, RS512, PS256, PS384 or PS512.</param>
    /// <param name="timeProvider">The clock of <c>iat</c>. Default: the system clock.</param>
    public static TestDPoPKey Create(string algorithm = "ES256", TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        AsymmetricAlgorithm key = algorithm switch
        {
            "ES256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "ES384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            "ES512" => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => RSA.Create(2048),
            _ => throw new ArgumentException($"The algorithm '{algorithm}' is not supported.", nameof(algorithm)),
        };
        return new TestDPoPKey(algorithm, key, timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// Writes a proof for one request: <paramref name="method"/> as <c>htm</c>, <paramref name="url"/> as <c>htu</c>, the
    /// hash of <paramref name="accessToken"/> as <c>ath</c> and <paramref name="nonce"/>, with a fresh <c>jti</c> and
    /// <c>iat</c> now; <paramref name="configure"/> changes any of it.
    /// </summary>
    public string CreateProof(string method, string url, string? accessToken = null, string? nonce = null, Action<TestDPoPProofDescriptor>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        var descriptor = new TestDPoPProofDescriptor
        {
            Algorithm = Algorithm,
            Method = method,
            Url = url,
            AccessTokenHash = accessToken is null ? null : Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))),
            Nonce = nonce,
            Jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            IssuedAt = _time.GetUtcNow(),
        };
        configure?.Invoke(descriptor);
        return Write(descriptor);
    }

    /// <summary>Frees the key.</summary>
    public void Dispose() => _key.Dispose();

    private string Write(TestDPoPProofDescriptor descriptor)
    {
        var algorithm = descriptor.Algorithm ?? Algorithm;
        var header = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (descriptor.Type is not null)
        {
            header["typ"] = descriptor.Type;
        }

        header["alg"] = algorithm;
        if (!descriptor.OmitKey)
        {
            header["jwk"] = descriptor.IncludePrivateKey ? _privateJwk : _publicJwk;
        }

        foreach (var (name, value) in descriptor.Header)
        {
            header[name] = value;
        }

        var payload = new Dictionary<string, object?>(StringComparer.Ordinal);
        Add(payload, "jti", descriptor.Jti);
        Add(payload, "htm", descriptor.Method);
        Add(payload, "htu", descriptor.Url);
        if (descriptor.IssuedAt is { } issuedAt)
        {
            payload["iat"] = issuedAt.ToUnixTimeSeconds();
        }

        Add(payload, "ath", descriptor.AccessTokenHash);
        Add(payload, "nonce", descriptor.Nonce);
        foreach (var (name, value) in descriptor.Claims)
        {
            payload[name] = value;
        }

        var signingInput = Encode(header) + "." + Encode(payload);
        var input = Encoding.ASCII.GetBytes(signingInput);
        var signature = algorithm switch
        {
            "none" => [],
            "HS256" => HMACSHA256.HashData(Encoding.ASCII.GetBytes(Thumbprint), input),
            _ => (descriptor.SignWith ?? this).Sign(input),
        };
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private byte[] Sign(byte[] input)
    {
        var hash = Algorithm[2..] switch
        {
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        return _key switch
        {
            ECDsa ec => ec.SignData(input, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            RSA rsa => rsa.SignData(input, hash, Algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(),
        };
    }

    private static void Add(Dictionary<string, object?> json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static string Encode(Dictionary<string, object?> json) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));

    private static (Dictionary<string, object?> Public, Dictionary<string, object?> Private) EcJwk(ECDsa ec)
    {
        var parameters = ec.ExportParameters(includePrivateParameters: true);
        var crv = ec.KeySize switch
        {
            256 => "P-256",
            384 => "P-384",
            _ => "P-521",
        };
        var publicJwk = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["kty"] = "EC",
            ["crv"] = crv,
            ["x"] = Base64Url.EncodeToString(parameters.Q.X),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
        };
        return (publicJwk, new Dictionary<string, object?>(publicJwk, StringComparer.Ordinal) { ["d"] = Base64Url.EncodeToString(parameters.D) });
    }

    private static (Dictionary<string, object?> Public, Dictionary<string, object?> Private) RsaJwk(RSA rsa)
    {
        var parameters = rsa.ExportParameters(includePrivateParameters: true);
        var publicJwk = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["kty"] = "RSA",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
        return (publicJwk, new Dictionary<string, object?>(publicJwk, StringComparer.Ordinal)
        {
            ["d"] = Base64Url.EncodeToString(parameters.D),
            ["p"] = Base64Url.EncodeToString(parameters.P),
            ["q"] = Base64Url.EncodeToString(parameters.Q),
            ["dp"] = Base64Url.EncodeToString(parameters.DP),
            ["dq"] = Base64Url.EncodeToString(parameters.DQ),
            ["qi"] = Base64Url.EncodeToString(parameters.InverseQ),
        });
    }
}
