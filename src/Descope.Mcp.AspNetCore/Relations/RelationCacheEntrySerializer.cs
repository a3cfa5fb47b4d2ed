using Descope.Mcp.AspNetCore.TokenCache;
using Microsoft.AspNetCore.DataProtection;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Serializes relation answers for <c>HybridCache</c>'s second level, encrypted and bound to their key like the token
/// entries: a shared cache (Redis) learns nothing from them, and an answer edited there, or copied to another key, reads as
/// a miss instead of turning "denied" into "allowed".
/// </summary>
internal sealed class RelationCacheEntrySerializer(IDataProtectionProvider dataProtection)
    : ProtectedCacheSerializer<RelationCacheEntry>(
        dataProtection, "Descope.Mcp.AspNetCore.RelationCache.v1", TokenCacheJsonContext.Default.RelationCacheEntry)
{
    protected override RelationCacheEntry Unreadable => RelationCacheEntry.Unreadable;

    protected override string KeyOf(RelationCacheEntry entry) => entry.CacheKey;

    protected override RelationCacheEntry WithKey(RelationCacheEntry entry, string key) => entry with { CacheKey = key };
}
