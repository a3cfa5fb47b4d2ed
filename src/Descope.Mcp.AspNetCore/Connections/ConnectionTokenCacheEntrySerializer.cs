using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Hybrid;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>Serializes cache entries for <c>HybridCache</c>'s second level with source-generated JSON.</summary>
internal sealed class ConnectionTokenCacheEntrySerializer : IHybridCacheSerializer<ConnectionTokenCacheEntry>
{
    public ConnectionTokenCacheEntry Deserialize(ReadOnlySequence<byte> source)
    {
        var reader = new Utf8JsonReader(source);
        return JsonSerializer.Deserialize(ref reader, ConnectionTokenCacheJsonContext.Default.ConnectionTokenCacheEntry)
            ?? throw new JsonException("An empty connection token cache entry.");
    }

    public void Serialize(ConnectionTokenCacheEntry value, IBufferWriter<byte> target)
    {
        using var writer = new Utf8JsonWriter(target);
        JsonSerializer.Serialize(writer, value, ConnectionTokenCacheJsonContext.Default.ConnectionTokenCacheEntry);
    }
}

[JsonSerializable(typeof(ConnectionTokenCacheEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ConnectionTokenCacheJsonContext : JsonSerializerContext;
