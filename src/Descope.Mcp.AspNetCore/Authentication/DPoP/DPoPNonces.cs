using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Stateless DPoP nonces (RFC 9449 §8, §9): an expiry time and the proof key's thumbprint, sealed with ASP.NET Core Data
/// Protection, so any instance that shares the Data Protection key ring accepts a nonce another issued, and nothing is
/// stored. Each user of nonces passes its own purpose (a resource server its canonical URL, a development authority its
/// token endpoint), so a nonce of one is never valid at another on the same key ring; and a nonce issued for one proof
/// key is never valid in a proof by another.
/// </summary>
internal sealed class DPoPNonces
{
    /// <summary>The expiry (8 bytes), random bytes (8), then the SHA-256 of the key's thumbprint (32).</summary>
    private const int PlainLength = 8 + 8 + SHA256.HashSizeInBytes;

    /// <summary>Far above a sealed nonce, far below what would cost real work to unprotect.</summary>
    private const int MaxNonceLength = 512;

    private readonly IDataProtector _protector;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public DPoPNonces(IDataProtectionProvider provider, string purpose, TimeSpan lifetime, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _protector = provider.CreateProtector("Descope.Mcp.AspNetCore.DPoP.Nonce", purpose);
        _lifetime = lifetime;
        _time = time;
    }

    /// <summary>
    /// A new nonce for proofs by the key of <paramref name="thumbprint"/>, valid for the configured lifetime from now;
    /// unpadded base64url, so a valid RFC 9449 <c>NQCHAR</c> string.
    /// </summary>
    public string Create(string thumbprint)
    {
        ArgumentNullException.ThrowIfNull(thumbprint);
        var plain = new byte[PlainLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, (_time.GetUtcNow() + _lifetime).ToUnixTimeMilliseconds());

        // Random bytes, so two nonces issued in the same millisecond still differ.
        RandomNumberGenerator.Fill(plain.AsSpan(8, 8));
        SHA256.HashData(Encoding.ASCII.GetBytes(thumbprint), plain.AsSpan(16));
        return Base64Url.EncodeToString(_protector.Protect(plain));
    }

    /// <summary>
    /// Whether <paramref name="nonce"/> is one this issuer sealed under its purpose, for the key of
    /// <paramref name="thumbprint"/>, and has not expired. Only the unpadded base64url a nonce is written in is read.
    /// </summary>
    public bool IsValid(string? nonce, string thumbprint)
    {
        ArgumentNullException.ThrowIfNull(thumbprint);
        if (nonce is null || nonce.Length > MaxNonceLength || !DPoPProofValidator.IsBase64Url(nonce) || !Base64Url.IsValid(nonce, out _))
        {
            return false;
        }

        byte[] plain;
        try
        {
            plain = _protector.Unprotect(Base64Url.DecodeFromChars(nonce));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }

        if (plain.Length != PlainLength || _time.GetUtcNow().ToUnixTimeMilliseconds() >= BinaryPrimitives.ReadInt64BigEndian(plain))
        {
            return false;
        }

        Span<byte> key = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(thumbprint), key);
        return CryptographicOperations.FixedTimeEquals(plain.AsSpan(16), key);
    }
}
