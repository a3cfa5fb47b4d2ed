using Microsoft.AspNetCore.DataProtection;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>Serializes connection token cache entries, encrypted, for <c>HybridCache</c>'s second level.</summary>
internal sealed class ConnectionTokenCacheEntrySerializer(IDataProtectionProvider dataProtection)
    : ProtectedCacheSerializer<ConnectionTokenCacheEntry>(
        dataProtection, "Descope.Mcp.AspNetCore.ConnectionTokenCache.v1", TokenCacheJsonContext.Default.ConnectionTokenCacheEntry)
{
    protected override ConnectionTokenCacheEntry Unreadable => ConnectionTokenCacheEntry.Unreadable;

    protected override string KeyOf(ConnectionTokenCacheEntry entry) => entry.CacheKey;

    protected override ConnectionTokenCacheEntry WithKey(ConnectionTokenCacheEntry entry, string key) => entry with { CacheKey = key };
}
