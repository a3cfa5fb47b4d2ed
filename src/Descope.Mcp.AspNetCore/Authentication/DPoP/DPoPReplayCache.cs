using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// Remembers the proofs a resource server accepted, so each <c>jti</c> is used once (RFC 9449 §11.1), in the app's
/// <see cref="HybridCache"/>: its memory level within an instance, its distributed level (Redis, for example) across
/// instances. Within one instance the check is atomic (HybridCache runs one factory per key at a time). Across instances
/// it is not: the distributed level has no add-if-absent, so two instances that receive the same proof at the same moment
/// can both read "unused" before either writes, and both accept it.
/// </summary>
internal sealed class DPoPReplayCache(HybridCache cache)
{
    private const string KeyPrefix = "descope-mcp:dpop-jti:";

    /// <summary>
    /// Marks the proof of <paramref name="thumbprint"/> with <paramref name="jti"/> used, for <paramref name="lifetime"/>;
    /// <see langword="false"/> when it was used before.
    /// </summary>
    public async ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var use = new Use();
        await cache.GetOrCreateAsync(
            Key(thumbprint, jti),
            use,
            static (state, _) =>
            {
                state.First = true;
                return ValueTask.FromResult(true);
            },
            new HybridCacheEntryOptions { Expiration = lifetime, LocalCacheExpiration = lifetime },
            cancellationToken: cancellationToken);
        return use.First;
    }

    /// <summary>The key of one proof: a hash, so neither the key's thumbprint nor the client's <c>jti</c> shapes it.</summary>
    internal static string Key(string thumbprint, string jti)
    {
        var input = Encoding.UTF8.GetBytes(thumbprint + "." + jti);
        return KeyPrefix + Base64Url.EncodeToString(SHA256.HashData(input));
    }

    /// <summary>Whether this call ran the factory, that is, found the proof unused.</summary>
    private sealed class Use
    {
        public bool First;
    }
}
