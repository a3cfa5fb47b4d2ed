using Microsoft.AspNetCore.DataProtection;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>Serializes exchanged token cache entries, encrypted, for <c>HybridCache</c>'s second level.</summary>
internal sealed class ExchangedTokenCacheEntrySerializer(IDataProtectionProvider dataProtection)
    : ProtectedCacheSerializer<ExchangedTokenCacheEntry>(
        dataProtection, "Descope.Mcp.AspNetCore.ExchangedTokenCache.v1", TokenCacheJsonContext.Default.ExchangedTokenCacheEntry)
{
    protected override ExchangedTokenCacheEntry Unreadable => ExchangedTokenCacheEntry.Unreadable;

    protected override string KeyOf(ExchangedTokenCacheEntry entry) => entry.CacheKey;

    protected override ExchangedTokenCacheEntry WithKey(ExchangedTokenCacheEntry entry, string key) => entry with { CacheKey = key };
}
