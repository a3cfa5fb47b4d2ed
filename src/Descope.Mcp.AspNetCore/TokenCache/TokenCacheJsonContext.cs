using System.Text.Json.Serialization;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>Source-generated JSON for the cached token entries.</summary>
[JsonSerializable(typeof(ConnectionTokenCacheEntry))]
[JsonSerializable(typeof(ExchangedTokenCacheEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TokenCacheJsonContext : JsonSerializerContext;
