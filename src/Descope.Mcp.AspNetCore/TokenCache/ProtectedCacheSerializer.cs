using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Hybrid;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>
/// Serializes token cache entries for <c>HybridCache</c>'s second level, encrypted with ASP.NET Core Data Protection
/// (the app's key ring, which instances sharing a cache already share). The protector's purpose includes the entry's
/// cache key, which is written in front of the ciphertext because HybridCache does not tell a serializer the key; the
/// cache checks it against the key it asked for, so an entry copied to another key is never handed out. What a shared
/// cache stores is therefore the key (a hash) and ciphertext: no token, no user, no app. An entry that cannot be
/// decrypted (another key ring, a revoked key, tampering) deserializes to <see cref="Unreadable"/>, which belongs to no
/// key and so reads as a miss.
/// </summary>
internal abstract class ProtectedCacheSerializer<T> : IHybridCacheSerializer<T>
    where T : class
{
    private const byte Version = 1;
    private const int HeaderLength = 5;

    private readonly IDataProtector _protector;
    private readonly JsonTypeInfo<T> _typeInfo;

    protected ProtectedCacheSerializer(IDataProtectionProvider dataProtection, string purpose, JsonTypeInfo<T> typeInfo)
    {
        _protector = dataProtection.CreateProtector(purpose);
        _typeInfo = typeInfo;
    }

    /// <summary>The entry an unreadable payload deserializes to; its key matches no request.</summary>
    protected abstract T Unreadable { get; }

    protected abstract string KeyOf(T entry);

    protected abstract T WithKey(T entry, string key);

    public T Deserialize(ReadOnlySequence<byte> source)
    {
        var bytes = source.ToArray();
        if (bytes.Length < HeaderLength || bytes[0] != Version
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(1)) is var keyLength && (keyLength <= 0 || keyLength > bytes.Length - HeaderLength))
        {
            return Unreadable;
        }

        var cacheKey = Encoding.UTF8.GetString(bytes, HeaderLength, keyLength);
        byte[] json;
        try
        {
            json = _protector.CreateProtector(cacheKey).Unprotect(bytes.AsSpan(HeaderLength + keyLength).ToArray());
        }
        catch (CryptographicException)
        {
            return Unreadable;
        }

        try
        {
            return JsonSerializer.Deserialize(json, _typeInfo) is { } entry ? WithKey(entry, cacheKey) : Unreadable;
        }
        catch (JsonException)
        {
            return Unreadable;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    public void Serialize(T value, IBufferWriter<byte> target)
    {
        var cacheKey = KeyOf(value);
        var json = JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);
        byte[] ciphertext;
        try
        {
            ciphertext = _protector.CreateProtector(cacheKey).Protect(json);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }

        var keyLength = Encoding.UTF8.GetByteCount(cacheKey);
        var total = HeaderLength + keyLength + ciphertext.Length;
        var span = target.GetSpan(total);
        span[0] = Version;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], keyLength);
        Encoding.UTF8.GetBytes(cacheKey, span[HeaderLength..]);
        ciphertext.CopyTo(span[(HeaderLength + keyLength)..]);
        target.Advance(total);
    }
}
