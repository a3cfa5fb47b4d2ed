using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Hybrid;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// Serializes cache entries for <c>HybridCache</c>'s second level, encrypted with ASP.NET Core Data Protection (the
/// app's key ring, which instances sharing a cache already share). The protector's purpose includes the entry's cache
/// key, which is written in front of the ciphertext because HybridCache does not tell a serializer the key; the cache
/// checks it against the key it asked for, so an entry copied to another key is never handed out. What a shared cache
/// stores is therefore the key (a hash) and ciphertext: no token, no user, no app. An entry that cannot be decrypted
/// (another key ring, a revoked key, tampering) reads as a miss.
/// </summary>
internal sealed class ConnectionTokenCacheEntrySerializer(IDataProtectionProvider dataProtection) : IHybridCacheSerializer<ConnectionTokenCacheEntry>
{
    private const byte Version = 1;

    // Each entry's protector adds its cache key to this purpose.
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Descope.Mcp.AspNetCore.ConnectionTokenCache.v1");

    public ConnectionTokenCacheEntry Deserialize(ReadOnlySequence<byte> source)
    {
        var bytes = source.ToArray();
        if (bytes.Length < 5 || bytes[0] != Version
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(1)) is var keyLength && (keyLength <= 0 || keyLength > bytes.Length - 5))
        {
            return ConnectionTokenCacheEntry.Unreadable;
        }

        var cacheKey = Encoding.UTF8.GetString(bytes, 5, keyLength);
        byte[] json;
        try
        {
            json = _protector.CreateProtector(cacheKey).Unprotect(bytes.AsSpan(5 + keyLength).ToArray());
        }
        catch (CryptographicException)
        {
            return ConnectionTokenCacheEntry.Unreadable;
        }

        try
        {
            var entry = JsonSerializer.Deserialize(json, ConnectionTokenCacheJsonContext.Default.ConnectionTokenCacheEntry);
            return entry is null ? ConnectionTokenCacheEntry.Unreadable : entry with { CacheKey = cacheKey };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    public void Serialize(ConnectionTokenCacheEntry value, IBufferWriter<byte> target)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, ConnectionTokenCacheJsonContext.Default.ConnectionTokenCacheEntry);
        byte[] ciphertext;
        try
        {
            ciphertext = _protector.CreateProtector(value.CacheKey).Protect(json);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }

        var keyLength = Encoding.UTF8.GetByteCount(value.CacheKey);
        var span = target.GetSpan(5 + keyLength + ciphertext.Length);
        span[0] = Version;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], keyLength);
        Encoding.UTF8.GetBytes(value.CacheKey, span[5..]);
        ciphertext.CopyTo(span[(5 + keyLength)..]);
        target.Advance(5 + keyLength + ciphertext.Length);
    }
}

[JsonSerializable(typeof(ConnectionTokenCacheEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ConnectionTokenCacheJsonContext : JsonSerializerContext;
