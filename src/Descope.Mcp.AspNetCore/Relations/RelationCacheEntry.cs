using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Descope's answer for one tuple, as cached. Immutable (as HybridCache is told), so a memory hit hands out the cached
/// instance instead of deserializing a copy.
/// </summary>
/// <param name="Allowed">Whether the target has the relation.</param>
/// <param name="Direct">Descope's <c>info.direct</c>, when it said.</param>
[ImmutableObject(true)]
internal sealed record RelationCacheEntry(bool Allowed, bool? Direct)
{
    /// <summary>What an entry that cannot be decrypted or read deserializes to: it belongs to no key, so it is a miss.</summary>
    public static RelationCacheEntry Unreadable { get; } = new(false, null);

    /// <summary>
    /// The key the entry was stored under; the cache hands an entry out only under this key. Not in the encrypted JSON:
    /// the serializer writes it in front of the ciphertext, as part of the encryption's purpose.
    /// </summary>
    [JsonIgnore]
    public string CacheKey { get; init; } = string.Empty;
}
