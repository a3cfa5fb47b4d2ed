using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Stateless DPoP nonces (RFC 9449 §8, §9): an expiry time sealed with ASP.NET Core Data Protection, so any instance
/// that shares the Data Protection key ring accepts a nonce another issued, and nothing is stored. Each user of nonces
/// (the resource server, a development authority) passes its own purpose, so a nonce of one is never valid at the other.
/// </summary>
internal sealed class DPoPNonces
{
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

    /// <summary>A new nonce, valid for the configured lifetime from now; base64url, so a valid RFC 9449 <c>NQCHAR</c> string.</summary>
    public string Create()
    {
        // The expiry, and random bytes so two nonces issued in the same millisecond still differ.
        var plain = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(plain, (_time.GetUtcNow() + _lifetime).ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(plain.AsSpan(8));
        return Base64Url.EncodeToString(_protector.Protect(plain));
    }

    /// <summary>Whether <paramref name="nonce"/> was issued under this purpose and has not expired.</summary>
    public bool IsValid(string? nonce)
    {
        if (string.IsNullOrEmpty(nonce) || nonce.Length > 512)
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

        return plain.Length == 16
            && _time.GetUtcNow().ToUnixTimeMilliseconds() < BinaryPrimitives.ReadInt64BigEndian(plain);
    }
}
