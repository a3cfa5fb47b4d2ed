using System.Text.Json.Serialization;
using Descope.Mcp.AspNetCore.Relations;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>Source-generated JSON for the cached token entries and relation answers.</summary>
[JsonSerializable(typeof(ConnectionTokenCacheEntry))]
[JsonSerializable(typeof(ExchangedTokenCacheEntry))]
[JsonSerializable(typeof(RelationCacheEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TokenCacheJsonContext : JsonSerializerContext;
