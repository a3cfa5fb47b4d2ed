using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Validates one DPoP proof JWT (RFC 9449 §4.3) against what the request expects: shape, <c>typ</c>, an allowed
/// asymmetric <c>alg</c>, a public <c>jwk</c> that fits it, the signature by that key, <c>htm</c>, <c>htu</c>,
/// <c>iat</c> within a window, <c>ath</c> and, when asked, a nonce. It keeps no replay state: whoever calls it decides
/// where a <c>jti</c> is remembered.
/// </summary>
/// <remarks>
/// IdentityModel reads the proof (<see cref="JsonWebToken"/>), its key (<see cref="JsonWebKey"/> and its RFC 7638
/// thumbprint) and checks the signature (its <see cref="CryptoProviderFactory"/>). What it does not check is done by
/// <see cref="ProofJson"/> first: that header and payload are each one JSON object with no member named twice, and that
/// the members RFC 9449 gives meaning to have their JSON types (IdentityModel reads a number or an object where a string
/// belongs as text, and <c>"123"</c> as an <c>iat</c>).
/// </remarks>
internal sealed class DPoPProofValidator
{
    /// <summary>Far above a proof with an RSA-8192 key, far below what would cost real work to read.</summary>
    internal const int MaxProofLength = 8 * 1024;

    /// <summary>The longest <c>jti</c> accepted; it only has to be unique, and it is kept in replay stores.</summary>
    internal const int MaxJtiLength = 256;

    /// <summary>The <c>typ</c> of a DPoP proof (RFC 9449 §4.2).</summary>
    internal const string ProofType = "dpop+jwt";

    /// <summary>The keys of recent proofs: a client signs all its proofs with one key.</summary>
    private const int MaxRememberedKeys = 1024;

    /// <summary>
    /// The algorithms this validator can check, asymmetric only. EdDSA is absent: neither .NET nor IdentityModel
    /// verifies Ed25519.
    /// </summary>
    public static readonly IReadOnlyList<string> SupportedAlgorithms =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>Signature providers of the proof keys, owned here rather than cached in IdentityModel's shared factory.</summary>
    private static readonly CryptoProviderFactory Crypto = new() { CacheSignatureProviders = false };

    /// <summary>Recent proof keys by their <c>jwk</c> member's JSON and the algorithm they sign with.</summary>
    private readonly ConcurrentDictionary<(string Jwk, string Algorithm), ProofKey> _keys = new();

    /// <summary>
    /// The form of a URL that <c>htu</c> is compared in: scheme, host and non-default port lower-cased, the path with
    /// dot segments removed, no query or fragment (RFC 9449 §4.3 step 9).
    /// </summary>
    public static string NormalizeUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    /// <summary>The <c>ath</c> of <paramref name="accessToken"/>: base64url(SHA-256(ASCII)) (RFC 9449 §4.2).</summary>
    public static string AccessTokenHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        Span<char> hash = stackalloc char[AccessTokenHashLength];
        WriteAccessTokenHash(accessToken, hash);
        return new string(hash);
    }

    /// <summary>The length of an <c>ath</c>: a SHA-256 hash in unpadded base64url.</summary>
    private const int AccessTokenHashLength = 43;

    private static void WriteAccessTokenHash(string accessToken, Span<char> destination)
    {
        var length = Encoding.UTF8.GetByteCount(accessToken);
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, Encoding.UTF8.GetBytes(accessToken, bytes)), hash);
            Base64Url.EncodeToChars(hash, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    internal static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    /// <summary>Whether <paramref name="value"/> is non-empty unpadded base64url text.</summary>
    internal static bool IsBase64Url(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsBase64UrlChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Validates <paramref name="proof"/>, the value of one <c>DPoP</c> header. Never throws for any input.</summary>
    public DPoPProofResult Validate(string? proof, in DPoPProofExpectations expected)
    {
        if (string.IsNullOrEmpty(proof) || proof.Length > MaxProofLength || !ProofJson.TryRead(proof, out var shape))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(proof);
        }
        catch (ArgumentException)
        {
            // What ProofJson lets through on purpose and IdentityModel cannot read: an iat that is null or beyond a long.
            return DPoPProofResult.Fail(
                shape.LacksClaim ? DPoPProofFailure.MissingClaim
                : !shape.IssuedAtInRange ? DPoPProofFailure.IssuedAtOutOfRange
                : DPoPProofFailure.Malformed);
        }

        if (!string.Equals(token.Typ, ProofType, StringComparison.Ordinal))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidType);
        }

        var algorithm = token.Alg;
        if (!Contains(SupportedAlgorithms, algorithm) || !Contains(expected.AllowedAlgorithms, algorithm))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.UnsupportedAlgorithm);
        }

        if (token.TryGetHeaderValue<object>("crit", out _))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.Malformed);
        }

        if (!token.TryGetHeaderValue<string>(JwtHeaderParameterNames.Jwk, out var jwk) || KeyFor(jwk, algorithm) is not { } key)
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidKey);
        }

        if (shape.LacksClaim
            || !token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) || jti is not { Length: > 0 and <= MaxJtiLength }
            || !token.TryGetPayloadValue<string>(ClaimNames.Method, out var method)
            || !token.TryGetPayloadValue<string>(ClaimNames.Url, out var url)
            || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAtSeconds))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.MissingClaim);
        }

        if (!VerifySignature(proof, token, key))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidSignature);
        }

        if (!string.Equals(method, expected.Method, StringComparison.Ordinal))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.MethodMismatch);
        }

        if (!string.Equals(url, expected.Url, StringComparison.Ordinal) && !SameUrl(url, expected.Url))
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

        if (expected.AccessToken is { } accessToken
            && (!token.TryGetPayloadValue<string>(ClaimNames.AccessTokenHash, out var ath) || ath is null || !HashMatches(ath, accessToken)))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.AccessTokenHashMismatch);
        }

        var nonce = token.TryGetPayloadValue<string>(ClaimNames.Nonce, out var value) && value is { Length: > 0 } ? value : null;
        if (expected.IsValidNonce is { } isValidNonce && (nonce is null || !isValidNonce(nonce, key.Thumbprint)))
        {
            return DPoPProofResult.Fail(DPoPProofFailure.InvalidNonce, key.Thumbprint);
        }

        return DPoPProofResult.Success(key.Thumbprint, jti, issuedAt, nonce);
    }

    private static bool HashMatches(string ath, string accessToken)
    {
        Span<char> expected = stackalloc char[AccessTokenHashLength];
        WriteAccessTokenHash(accessToken, expected);
        return ath.Length == AccessTokenHashLength
            && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(ath.AsSpan()), MemoryMarshal.AsBytes<char>(expected));
    }

    /// <summary>
    /// Whether <paramref name="htu"/> names the same URL once parsed and normalised. An http(s) URL only, and none with
    /// user information: <c>https://evil@host/mcp</c> is not <c>https://host/mcp</c>, whatever normalisation drops.
    /// </summary>
    private static bool SameUrl(string htu, string expected) =>
        Uri.TryCreate(htu, UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
        && url.UserInfo.Length == 0
        && htu.IndexOf('@', StringComparison.Ordinal) < 0
        && string.Equals(NormalizeUrl(url), expected, StringComparison.Ordinal);

    private static bool Contains(IEnumerable<string> values, string value)
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

    private static bool VerifySignature(string proof, JsonWebToken token, ProofKey key)
    {
        var encodedSignature = token.EncodedSignature;
        var inputLength = proof.Length - encodedSignature.Length - 1;
        if (!Base64Url.IsValid(encodedSignature, out var signatureLength))
        {
            return false;
        }

        // Two buffers, each from its start: IdentityModel's ECDSA check ignores a signature's offset in its array.
        var input = ArrayPool<byte>.Shared.Rent(inputLength);
        var signature = ArrayPool<byte>.Shared.Rent(signatureLength);
        try
        {
            Encoding.ASCII.GetBytes(proof.AsSpan(0, inputLength), input);
            return TryDecode(encodedSignature, signature.AsSpan(0, signatureLength))
                && key.Verifier.Verify(input, 0, inputLength, signature, 0, signatureLength);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(signature);
        }
    }

    /// <summary>Decodes base64url text already known to be valid; <see langword="false"/> for text .NET still refuses.</summary>
    private static bool TryDecode(ReadOnlySpan<char> encoded, Span<byte> destination)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(encoded, destination, out var written) && written == destination.Length;
        }
        catch (FormatException)
        {
            // Non-zero bits after the last whole byte: not the one encoding of any bytes.
            return false;
        }
    }

    /// <summary>
    /// The key of a <c>jwk</c> header member that may sign with <paramref name="algorithm"/>: a public RSA key of 2048
    /// bits at least for RS/PS, a public EC key on the algorithm's curve for ES; <see langword="null"/> for anything else.
    /// </summary>
    private ProofKey? KeyFor(string jwk, string algorithm)
    {
        if (_keys.TryGetValue((jwk, algorithm), out var known))
        {
            return known;
        }

        var key = Import(jwk, algorithm);
        if (key is null)
        {
            return null;
        }

        // Not disposed on eviction: another request may still be verifying with it; the finalizer frees it.
        if (_keys.Count >= MaxRememberedKeys)
        {
            _keys.Clear();
        }

        return _keys.GetOrAdd((jwk, algorithm), key);
    }

    private static ProofKey? Import(string json, string algorithm)
    {
        try
        {
            var jwk = new JsonWebKey(json);
            if (!FitsAlgorithm(jwk, algorithm) || IsPrivate(jwk))
            {
                return null;
            }

            var thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
            var verifier = Crypto.CreateForVerifying(jwk, algorithm);
            return new ProofKey(thumbprint, verifier);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or CryptographicException or NotSupportedException or InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    private static bool FitsAlgorithm(JsonWebKey jwk, string algorithm)
    {
        if (algorithm[0] == 'E')
        {
            var (curve, size) = algorithm switch
            {
                "ES256" => ("P-256", 32),
                "ES384" => ("P-384", 48),
                _ => ("P-521", 66),
            };
            return string.Equals(jwk.Kty, JsonWebAlgorithmsKeyTypes.EllipticCurve, StringComparison.Ordinal)
                && string.Equals(jwk.Crv, curve, StringComparison.Ordinal)
                && DecodedLength(jwk.X) == size
                && DecodedLength(jwk.Y) == size;
        }

        // RFC 7518 §3.3: 2048 bits at least; a modulus with leading zero bytes is not a minimal encoding.
        if (!string.Equals(jwk.Kty, JsonWebAlgorithmsKeyTypes.RSA, StringComparison.Ordinal) || DecodedLength(jwk.E) is < 1 or > 8)
        {
            return false;
        }

        return DecodedLength(jwk.N) is >= 256 and <= 1024 && Base64UrlEncoder.DecodeBytes(jwk.N)[0] != 0;
    }

    /// <summary>The byte length of unpadded base64url text, or -1 when it is not that.</summary>
    private static int DecodedLength(string? value) =>
        value is not null && IsBase64Url(value) && Base64Url.IsValid(value, out var length) ? length : -1;

    /// <summary>Whether the key carries private or symmetric material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).</summary>
    private static bool IsPrivate(JsonWebKey jwk) =>
        jwk.D is not null || jwk.P is not null || jwk.Q is not null || jwk.DP is not null || jwk.DQ is not null
        || jwk.QI is not null || jwk.Oth is { Count: > 0 } || jwk.K is not null;

    /// <summary>A proof key: its RFC 7638 thumbprint (what <c>cnf.jkt</c> must equal) and its signature check.</summary>
    private sealed record ProofKey(string Thumbprint, SignatureProvider Verifier);

    /// <summary>The payload members RFC 9449 §4.2 defines.</summary>
    private static class ClaimNames
    {
        public const string Method = "htm";
        public const string Url = "htu";
        public const string AccessTokenHash = "ath";
        public const string Nonce = "nonce";
    }

    /// <summary>What <see cref="ProofJson"/> learnt of a proof beyond its being well-formed.</summary>
    private readonly record struct ProofShape(bool LacksClaim, bool IssuedAtInRange);

    /// <summary>
    /// What IdentityModel does not check in a proof's JSON, read in one pass over each decoded part: one object with
    /// nothing after it, no member RFC 9449 gives meaning to named twice (which of two values counts would be a guess),
    /// and the JSON type of each of them: a string, a number for <c>iat</c>, an object for <c>jwk</c>, or <c>null</c>,
    /// which counts as absent. Values are left to IdentityModel.
    /// </summary>
    private static class ProofJson
    {
        private static readonly string[] HeaderMembers = ["typ", "alg", "jwk", "crit"];

        private static readonly string[] ClaimMembers = ["jti", "htm", "htu", "iat", "ath", "nonce"];

        /// <summary>The claims every proof has (<c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>), as bits of <see cref="ClaimMembers"/>.</summary>
        private const int RequiredClaims = 0b1111;

        private static readonly string[] KeyMembers = ["kty", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth", "k", "alg", "kid", "use"];

        private const int Duplicate = -2;

        /// <summary>Whether <paramref name="proof"/> is three base64url parts whose first two are well-formed JSON as above.</summary>
        public static bool TryRead(string proof, out ProofShape shape)
        {
            shape = default;
            var first = proof.IndexOf('.');
            var second = first < 0 ? -1 : proof.IndexOf('.', first + 1);
            if (first <= 0 || second <= first + 1 || proof.IndexOf('.', second + 1) >= 0)
            {
                return false;
            }

            var signature = proof.AsSpan(second + 1);
            if (!signature.IsEmpty && (!IsBase64Url(signature) || !Base64Url.IsValid(signature, out _)))
            {
                return false;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(proof.Length);
            try
            {
                var issuedAtInRange = true;
                if (!Decode(proof.AsSpan(0, first), buffer, out var header)
                    || !IsObject(buffer.AsSpan(0, header), HeaderMembers, out _, ref issuedAtInRange)
                    || !Decode(proof.AsSpan(first + 1, second - first - 1), buffer, out var payload)
                    || !IsObject(buffer.AsSpan(0, payload), ClaimMembers, out var present, ref issuedAtInRange))
                {
                    return false;
                }

                shape = new ProofShape((present & RequiredClaims) != RequiredClaims, issuedAtInRange);
                return true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static bool Decode(ReadOnlySpan<char> encoded, Span<byte> destination, out int written)
        {
            written = 0;
            return IsBase64Url(encoded) && Base64Url.IsValid(encoded, out written) && TryDecode(encoded, destination[..written]);
        }

        /// <summary>
        /// Whether <paramref name="json"/> is one object as above; <paramref name="present"/> has a bit set for each of
        /// <paramref name="members"/> present with a value other than <c>null</c>.
        /// </summary>
        private static bool IsObject(ReadOnlySpan<byte> json, string[] members, out int present, ref bool issuedAtInRange)
        {
            present = 0;
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
                    var member = Member(ref reader, members, ref seen);
                    if (member == Duplicate || !reader.Read())
                    {
                        return false;
                    }

                    if (member >= 0 && reader.TokenType != JsonTokenType.Null)
                    {
                        present |= 1 << member;
                    }

                    var wellTyped = (member < 0 ? null : members[member]) switch
                    {
                        null or "crit" => Skip(ref reader),
                        _ when reader.TokenType == JsonTokenType.Null => true,
                        "jwk" => reader.TokenType == JsonTokenType.StartObject && IsKey(ref reader),
                        "iat" => IsNumericDate(ref reader, ref issuedAtInRange),
                        _ => reader.TokenType == JsonTokenType.String,
                    };
                    if (!wellTyped)
                    {
                        return false;
                    }
                }

                return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>A <c>jwk</c> object, read to its end: no key member named twice.</summary>
        private static bool IsKey(ref Utf8JsonReader reader)
        {
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (Member(ref reader, KeyMembers, ref seen) == Duplicate || !reader.Read())
                {
                    return false;
                }

                reader.Skip();
            }

            return reader.TokenType == JsonTokenType.EndObject;
        }

        private static bool IsNumericDate(ref Utf8JsonReader reader, ref bool inRange)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                return false;
            }

            inRange = reader.TryGetInt64(out _) || (reader.TryGetDouble(out var value) && value is > long.MinValue and < long.MaxValue);
            return true;
        }

        private static bool Skip(ref Utf8JsonReader reader)
        {
            reader.Skip();
            return true;
        }

        /// <summary>
        /// The index of the current property name in <paramref name="members"/>, -1 for any other name, or
        /// <see cref="Duplicate"/> when one of them appears twice.
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
    }
}
