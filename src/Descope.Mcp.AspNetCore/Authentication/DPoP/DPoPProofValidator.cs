using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Validates one DPoP proof JWT (RFC 9449 §4.3) against what the request expects: shape, <c>typ</c>, an allowed
/// asymmetric <c>alg</c>, a public <c>jwk</c> that fits it, the signature by that key, <c>htm</c>, <c>htu</c>,
/// <c>iat</c> within a window, <c>ath</c> and, when asked, a nonce. It keeps no replay state: whoever calls it decides
/// where a <c>jti</c> is remembered. Read with <see cref="Utf8JsonReader"/> over pooled buffers so an accepted proof costs
/// its signature check and little else.
/// </summary>
internal sealed class DPoPProofValidator
{
    /// <summary>Far above a proof with an RSA-8192 key, far below what would cost real work to read.</summary>
    internal const int MaxProofLength = 8 * 1024;

    /// <summary>The longest <c>jti</c> accepted; it only has to be unique, and it is kept in replay stores.</summary>
    internal const int MaxJtiLength = 256;

    /// <summary>The <c>typ</c> of a DPoP proof (RFC 9449 §4.2).</summary>
    internal const string ProofType = "dpop+jwt";

    /// <summary>The public keys of recent proofs, by thumbprint: a client signs all its proofs with one key.</summary>
    private const int MaxRememberedKeys = 1024;

    /// <summary>
    /// The algorithms this validator can check, asymmetric only. EdDSA is absent: neither .NET nor IdentityModel
    /// verifies Ed25519.
    /// </summary>
    public static readonly IReadOnlyList<string> SupportedAlgorithms =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>The length of a SHA-256 thumbprint in base64url: 43 characters.</summary>
    private const int ThumbprintLength = 43;

    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm> _keys = new(StringComparer.Ordinal);

    /// <summary>Finds a remembered key by a thumbprint still in a buffer, and hands back the thumbprint string kept with it.</summary>
    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm>.AlternateLookup<ReadOnlySpan<char>> _keysByThumbprint;

    public DPoPProofValidator() => _keysByThumbprint = _keys.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The form of a URL that <c>htu</c> is compared in: scheme, host and non-default port lower-cased, the path with
    /// dot segments removed, no query or fragment (RFC 9449 §4.3 step 9).
    /// </summary>
    public static string NormalizeUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    /// <summary>Validates <paramref name="proof"/>, the value of one <c>DPoP</c> header.</summary>
    public DPoPProofResult Validate(string? proof, in DPoPProofExpectations expected)
    {
        if (string.IsNullOrEmpty(proof) || proof.Length > MaxProofLength)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        var first = proof.IndexOf('.');
        var second = first < 0 ? -1 : proof.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || proof.IndexOf('.', second + 1) >= 0)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(proof.Length * 2);
        try
        {
            return Validate(proof, first, second, buffer, expected);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private DPoPProofResult Validate(string proof, int first, int second, byte[] buffer, in DPoPProofExpectations expected)
    {
        // The buffer holds, in turn: the header, the payload, the signature, then the signing input.
        var headerLength = Decode(proof.AsSpan(0, first), buffer);
        if (headerLength < 0 || !ProofHeader.TryRead(buffer.AsSpan(0, headerLength), out var header))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        if (!header.TypeIsProof)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidType);
        }

        if (header.Algorithm is not { } algorithm || !Contains(expected.AllowedAlgorithms, algorithm))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.UnsupportedAlgorithm);
        }

        if (header.HasCritical)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        var headerBytes = buffer.AsSpan(0, headerLength);
        if (!header.HasKey || header.HasPrivateMember || !header.FitsAlgorithm(headerBytes, algorithm))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidKey);
        }

        Span<char> computed = stackalloc char[ThumbprintLength];
        header.Thumbprint(headerBytes, computed);
        if (!_keysByThumbprint.TryGetValue(computed, out var thumbprint, out var key))
        {
            thumbprint = new string(computed);
            key = Import(header, headerBytes, thumbprint);
        }

        if (key is null)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidKey);
        }

        var payloadStart = headerLength;
        var payloadLength = Decode(proof.AsSpan(first + 1, second - first - 1), buffer.AsSpan(payloadStart));
        if (payloadLength < 0 || !ProofClaims.TryRead(buffer.AsSpan(payloadStart, payloadLength), out var claims))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        if (claims.Jti is null || !claims.Htm.IsSet || !claims.Htu.IsSet || claims.IssuedAt is not { } issuedAtSeconds)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.MissingClaim);
        }

        var signatureStart = payloadStart + payloadLength;
        var signatureLength = Decode(proof.AsSpan(second + 1), buffer.AsSpan(signatureStart));
        if (signatureLength < 0)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        var inputStart = signatureStart + signatureLength;
        var inputLength = Encoding.ASCII.GetBytes(proof.AsSpan(0, second), buffer.AsSpan(inputStart));
        if (!Verify(key, algorithm, buffer.AsSpan(inputStart, inputLength), buffer.AsSpan(signatureStart, signatureLength)))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidSignature);
        }

        var payload = buffer.AsSpan(payloadStart, payloadLength);
        if (!claims.Htm.Equals(payload, expected.Method))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.MethodMismatch);
        }

        if (!claims.Htu.Equals(payload, expected.Url) && !SameUrl(claims.Htu.ToString(payload), expected.Url))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.UrlMismatch);
        }

        // Outside what DateTimeOffset can hold is outside any window.
        if (issuedAtSeconds < -62_135_596_800L || issuedAtSeconds > 253_402_300_799L)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.IssuedAtOutOfRange);
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(issuedAtSeconds);
        if (issuedAt < expected.Now - expected.IssuedAtWindow || issuedAt > expected.Now + expected.IssuedAtWindow)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.IssuedAtOutOfRange);
        }

        if (expected.AccessToken is { } accessToken && (!claims.Ath.IsSet || !HashMatches(claims.Ath, payload, accessToken)))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.AccessTokenHashMismatch);
        }

        if (expected.IsValidNonce is { } isValidNonce && (claims.Nonce is null || !isValidNonce(claims.Nonce)))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidNonce);
        }

        return DPoPProofResult.Success(thumbprint, claims.Jti, issuedAt, claims.Nonce);
    }

    /// <summary>The <c>ath</c> of <paramref name="accessToken"/>: base64url(SHA-256(ASCII)) (RFC 9449 §4.2).</summary>
    public static string AccessTokenHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashAscii(accessToken, hash);
        return Base64Url.EncodeToString(hash);
    }

    private static bool HashMatches(in ClaimText ath, ReadOnlySpan<byte> payload, string accessToken)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashAscii(accessToken, hash);
        Span<byte> encoded = stackalloc byte[43];
        if (!Base64Url.TryEncodeToUtf8(hash, encoded, out var written))
        {
            return false;
        }

        // An escaped ath is compared as the text it stands for; base64url text needs no escape, so that is rare.
        if (ath.Escaped is { } text)
        {
            return Ascii.Equals(encoded[..written], text);
        }

        return CryptographicOperations.FixedTimeEquals(encoded[..written], ath.Range.Of(payload));
    }

    private static void HashAscii(string value, Span<byte> hash)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(value, bytes);
            SHA256.HashData(bytes.AsSpan(0, written), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool SameUrl(string htu, string expected) =>
        Uri.TryCreate(htu, UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
        && string.Equals(NormalizeUrl(url), expected, StringComparison.Ordinal);

    private static bool Contains(IReadOnlyCollection<string> values, string value)
    {
        foreach (var candidate in values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static int Decode(ReadOnlySpan<char> encoded, Span<byte> destination)
    {
        foreach (var c in encoded)
        {
            if (!IsBase64UrlChar(c))
            {
                return -1;
            }
        }

        return Base64Url.TryDecodeFromChars(encoded, destination, out var written) ? written : -1;
    }

    internal static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static bool IsBase64Url(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!IsBase64UrlChar((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private AsymmetricAlgorithm? Import(in ProofHeader header, ReadOnlySpan<byte> headerBytes, string thumbprint)
    {
        AsymmetricAlgorithm? key;
        try
        {
            key = header.IsRsa ? ImportRsa(header, headerBytes) : ImportEc(header, headerBytes);
        }
        catch (CryptographicException)
        {
            return null;
        }

        if (key is null)
        {
            return null;
        }

        // Not disposed on eviction: another request may still be verifying with it; the finalizer frees it.
        if (_keys.Count >= MaxRememberedKeys)
        {
            _keys.Clear();
        }

        return _keys.GetOrAdd(thumbprint, key);
    }

    private static RSA? ImportRsa(in ProofHeader header, ReadOnlySpan<byte> headerBytes)
    {
        var parameters = new RSAParameters
        {
            Modulus = Base64Url.DecodeFromUtf8(header.N.Of(headerBytes)),
            Exponent = Base64Url.DecodeFromUtf8(header.E.Of(headerBytes)),
        };

        // RFC 7518 §3.3: 2048 bits at least; a modulus with leading zero bytes is not a minimal encoding.
        if (parameters.Modulus.Length < 256 || parameters.Modulus.Length > 1024 || parameters.Modulus[0] == 0 || parameters.Exponent.Length is 0 or > 8)
        {
            return null;
        }

        var rsa = RSA.Create();
        rsa.ImportParameters(parameters);
        return rsa;
    }

    private static ECDsa? ImportEc(in ProofHeader header, ReadOnlySpan<byte> headerBytes)
    {
        var x = Base64Url.DecodeFromUtf8(header.X.Of(headerBytes));
        var y = Base64Url.DecodeFromUtf8(header.Y.Of(headerBytes));
        var (curve, size) = header.Curve switch
        {
            "P-256" => (ECCurve.NamedCurves.nistP256, 32),
            "P-384" => (ECCurve.NamedCurves.nistP384, 48),
            _ => (ECCurve.NamedCurves.nistP521, 66),
        };
        if (x.Length != size || y.Length != size)
        {
            return null;
        }

        // Import checks that the point lies on the curve.
        return ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
    }

    private static bool Verify(AsymmetricAlgorithm key, string algorithm, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        var hash = algorithm[2..] switch
        {
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        try
        {
            return key switch
            {
                ECDsa ec => ec.VerifyData(input, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                RSA rsa => rsa.VerifyData(input, signature, hash, algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Where a value lies in the decoded header.</summary>
    private readonly record struct Range(int Start, int Length)
    {
        public bool IsSet => Length > 0;

        public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> bytes) => bytes.Slice(Start, Length);
    }

    /// <summary>What the proof's JOSE header says, read without copying the key's members.</summary>
    private struct ProofHeader
    {
        public bool TypeIsProof;
        public string? Algorithm;
        public bool HasCritical;
        public bool HasKey;
        public bool HasPrivateMember;
        public bool IsRsa;
        public bool IsEc;
        public string? Curve;
        public Range X;
        public Range Y;
        public Range N;
        public Range E;

        public readonly bool FitsAlgorithm(ReadOnlySpan<byte> bytes, string algorithm)
        {
            if (algorithm[0] == 'E')
            {
                var curve = algorithm switch
                {
                    "ES256" => "P-256",
                    "ES384" => "P-384",
                    _ => "P-521",
                };
                return IsEc && string.Equals(Curve, curve, StringComparison.Ordinal) && IsBase64Url(X.Of(bytes)) && IsBase64Url(Y.Of(bytes));
            }

            return IsRsa && IsBase64Url(N.Of(bytes)) && IsBase64Url(E.Of(bytes));
        }

        /// <summary>
        /// Writes the RFC 7638 thumbprint (SHA-256 of the required members in lexicographic order, no whitespace, in
        /// base64url) to <paramref name="destination"/>, <see cref="ThumbprintLength"/> characters.
        /// </summary>
        public readonly void Thumbprint(ReadOnlySpan<byte> bytes, Span<char> destination)
        {
            var canonical = ArrayPool<byte>.Shared.Rent(bytes.Length + 64);
            try
            {
                var length = 0;
                if (IsRsa)
                {
                    Append(canonical, ref length, "{\"e\":\""u8);
                    Append(canonical, ref length, E.Of(bytes));
                    Append(canonical, ref length, "\",\"kty\":\"RSA\",\"n\":\""u8);
                    Append(canonical, ref length, N.Of(bytes));
                }
                else
                {
                    Append(canonical, ref length, "{\"crv\":\""u8);
                    length += Encoding.ASCII.GetBytes(Curve!, canonical.AsSpan(length));
                    Append(canonical, ref length, "\",\"kty\":\"EC\",\"x\":\""u8);
                    Append(canonical, ref length, X.Of(bytes));
                    Append(canonical, ref length, "\",\"y\":\""u8);
                    Append(canonical, ref length, Y.Of(bytes));
                }

                Append(canonical, ref length, "\"}"u8);
                Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(canonical.AsSpan(0, length), hash);
                Base64Url.EncodeToChars(hash, destination);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(canonical);
            }
        }

        public static bool TryRead(ReadOnlySpan<byte> json, out ProofHeader header)
        {
            header = default;
            try
            {
                var reader = new Utf8JsonReader(json);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                var seen = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var member = Member(ref reader, HeaderMembers, ref seen);
                    if (member == Duplicate || !reader.Read())
                    {
                        return false;
                    }

                    switch (member)
                    {
                        case 0:
                            header.TypeIsProof = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(ProofType);
                            break;
                        case 1:
                            header.Algorithm = reader.TokenType == JsonTokenType.String ? KnownAlgorithm(ref reader) : null;
                            break;
                        case 2:
                            header.HasCritical = true;
                            reader.Skip();
                            break;
                        case 3 when reader.TokenType == JsonTokenType.StartObject:
                            if (!ReadKey(ref reader, ref header))
                            {
                                return false;
                            }

                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }

                return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static bool ReadKey(ref Utf8JsonReader reader, ref ProofHeader header)
        {
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Member(ref reader, KeyMembers, ref seen);
                if (member == Duplicate || !reader.Read())
                {
                    return false;
                }

                switch (member)
                {
                    case 0 when reader.TokenType == JsonTokenType.String:
                        header.IsRsa = reader.ValueTextEquals("RSA"u8);
                        header.IsEc = reader.ValueTextEquals("EC"u8);
                        break;
                    case 1 when reader.TokenType == JsonTokenType.String:
                        header.Curve = reader.ValueTextEquals("P-256"u8) ? "P-256"
                            : reader.ValueTextEquals("P-384"u8) ? "P-384"
                            : reader.ValueTextEquals("P-521"u8) ? "P-521"
                            : null;
                        break;
                    case 2:
                        header.X = StringRange(ref reader);
                        break;
                    case 3:
                        header.Y = StringRange(ref reader);
                        break;
                    case 4:
                        header.N = StringRange(ref reader);
                        break;
                    case 5:
                        header.E = StringRange(ref reader);
                        break;
                    default:
                        // Members from 6 on are private key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
                        header.HasPrivateMember |= member >= 6;
                        reader.Skip();
                        break;
                }
            }

            header.HasKey = reader.TokenType == JsonTokenType.EndObject && (header.IsRsa || header.IsEc);
            return true;
        }

        // Escaped or non-string values are no base64url and leave the member unset (an unusable key).
        private static Range StringRange(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
            {
                reader.Skip();
                return default;
            }

            return new Range((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }

        private static string? KnownAlgorithm(ref Utf8JsonReader reader)
        {
            foreach (var algorithm in SupportedAlgorithms)
            {
                if (reader.ValueTextEquals(algorithm))
                {
                    return algorithm;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// A string claim compared where it lies in the decoded payload, so an accepted proof makes no string of it; an
    /// escaped value is unescaped into a string.
    /// </summary>
    private readonly struct ClaimText
    {
        private ClaimText(Range range, string? escaped)
        {
            Range = range;
            Escaped = escaped;
            IsSet = true;
        }

        public bool IsSet { get; }

        public Range Range { get; }

        public string? Escaped { get; }

        public static ClaimText Read(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return default;
            }

            return reader.ValueIsEscaped
                ? new ClaimText(default, reader.GetString())
                : new ClaimText(new Range((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length), null);
        }

        /// <summary>Ordinal equality with <paramref name="expected"/>, without a string when it is ASCII (a method, a URL as <see cref="NormalizeUrl"/> writes it).</summary>
        public bool Equals(ReadOnlySpan<byte> payload, string expected) =>
            Escaped is { } text ? string.Equals(text, expected, StringComparison.Ordinal)
            : Ascii.Equals(Range.Of(payload), expected) || (!Ascii.IsValid(expected) && string.Equals(ToString(payload), expected, StringComparison.Ordinal));

        public string ToString(ReadOnlySpan<byte> payload) => Escaped ?? Encoding.UTF8.GetString(Range.Of(payload));
    }

    /// <summary>The claims of the proof's payload that RFC 9449 gives meaning to.</summary>
    private struct ProofClaims
    {
        public string? Jti;
        public ClaimText Htm;
        public ClaimText Htu;
        public long? IssuedAt;
        public ClaimText Ath;
        public string? Nonce;

        public static bool TryRead(ReadOnlySpan<byte> json, out ProofClaims claims)
        {
            claims = default;
            try
            {
                var reader = new Utf8JsonReader(json);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                var seen = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var member = Member(ref reader, ClaimMembers, ref seen);
                    if (member == Duplicate || !reader.Read())
                    {
                        return false;
                    }

                    switch (member)
                    {
                        case 0:
                            claims.Jti = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length is > 0 and <= MaxJtiLength ? reader.GetString() : null;
                            break;
                        case 1:
                            claims.Htm = ClaimText.Read(ref reader);
                            break;
                        case 2:
                            claims.Htu = ClaimText.Read(ref reader);
                            break;
                        case 3 when reader.TokenType == JsonTokenType.Number:
                            claims.IssuedAt = reader.TryGetInt64(out var seconds) ? seconds
                                : reader.TryGetDouble(out var fractional) && double.IsFinite(fractional) ? (long)Math.Clamp(Math.Floor(fractional), -1e15, 1e15)
                                : null;
                            break;
                        case 4:
                            claims.Ath = ClaimText.Read(ref reader);
                            break;
                        case 5:
                            claims.Nonce = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }

                return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }

    private const int Duplicate = -2;

    private static readonly string[] HeaderMembers = ["typ", "alg", "crit", "jwk"];

    private static readonly string[] KeyMembers = ["kty", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private static readonly string[] ClaimMembers = ["jti", "htm", "htu", "iat", "ath", "nonce"];

    /// <summary>
    /// The index of the current property name in <paramref name="members"/>, -1 for any other name, or
    /// <see cref="Duplicate"/> when a known member appears twice (which of two values counts is ambiguous).
    /// </summary>
    private static int Member(ref Utf8JsonReader reader, string[] members, ref int seen)
    {
        for (var i = 0; i < members.Length; i++)
        {
            if (reader.ValueTextEquals(members[i]))
            {
                if ((seen & (1 << i)) != 0)
                {
                    return Duplicate;
                }

                seen |= 1 << i;
                return i;
            }
        }

        return -1;
    }

    /// <summary>Appends bytes to a buffer known to be large enough.</summary>
    private static void Append(byte[] destination, ref int length, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination.AsSpan(length));
        length += bytes.Length;
    }
}
