using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>
/// A cached exchanged token and the moment it stops being handed out (see <see cref="ConnectionTokenCacheEntry"/>).
/// </summary>
[ImmutableObject(true)]
internal sealed record ExchangedTokenCacheEntry(ExchangedToken Token, DateTimeOffset RefreshAt)
{
    /// <summary>What an entry that cannot be decrypted or read deserializes to: it belongs to no key, so it is a miss.</summary>
    public static ExchangedTokenCacheEntry Unreadable { get; } =
        new(new ExchangedToken { AccessToken = string.Empty, TokenType = string.Empty, Audience = string.Empty }, DateTimeOffset.MinValue);

    /// <summary>The key the entry was stored under; the cache hands an entry out only under this key.</summary>
    [JsonIgnore]
    public string CacheKey { get; init; } = string.Empty;
}
