using System.ComponentModel;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// A cached token and the moment it stops being handed out: the earlier of its expiry less the buffer and the time it
/// was fetched plus the maximum lifetime. Kept in the entry, and judged by the injected <see cref="TimeProvider"/>,
/// so every instance sharing a distributed cache agrees on it. Immutable (as HybridCache is told), so a memory hit
/// hands out the cached instance instead of deserializing a copy.
/// </summary>
[ImmutableObject(true)]
internal sealed record ConnectionTokenCacheEntry(ConnectionToken Token, DateTimeOffset RefreshAt);
