using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>
/// A cached token and the moment it stops being handed out: the earlier of its expiry less the buffer and the time it
/// was fetched plus the maximum lifetime. Kept in the entry, and judged by the injected <see cref="TimeProvider"/>,
/// so every instance sharing a distributed cache agrees on it. Immutable (as HybridCache is told), so a memory hit
/// hands out the cached instance instead of deserializing a copy.
/// </summary>
[ImmutableObject(true)]
internal sealed record ConnectionTokenCacheEntry(ConnectionToken Token, DateTimeOffset RefreshAt)
{
    /// <summary>What an entry that cannot be decrypted or read deserializes to: it belongs to no key, so it is a miss.</summary>
    public static ConnectionTokenCacheEntry Unreadable { get; } =
        new(new ConnectionToken { AccessToken = string.Empty, AppId = string.Empty }, DateTimeOffset.MinValue);

    /// <summary>
    /// The key the entry was stored under; the cache hands an entry out only under this key. Not in the encrypted JSON:
    /// the serializer writes it in front of the ciphertext, as part of the encryption's purpose.
    /// </summary>
    [JsonIgnore]
    public string CacheKey { get; init; } = string.Empty;
}
