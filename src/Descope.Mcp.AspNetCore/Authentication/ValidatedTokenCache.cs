using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Remembers tokens that passed validation, keyed by the whole token string (never a hash that could collide), so
/// repeated requests with the same token skip the signature check and claim parsing, which is most of what
/// authentication costs. An entry lives at most <see cref="DescopeMcpOptions.ValidatedTokenCacheDuration"/>, never past
/// the token's expiry, and only while the key set that validated it is current. Refusals are never remembered.
/// </summary>
/// <remarks>
/// Bounded twice: by <see cref="DescopeMcpOptions.ValidatedTokenCacheMemoryLimit"/>, each entry weighing what it holds
/// (the token, its parsed form and its claims), and by <see cref="DescopeMcpOptions.ValidatedTokenCacheSize"/> entries,
/// because no entry weighs less than an equal share of the memory limit.
/// </remarks>
internal sealed class ValidatedTokenCache : IDisposable
{
    /// <summary>What an entry costs besides its strings: the entry, the identity and the parsed token's objects.</summary>
    private const long EntryOverheadBytes = 1024;

    /// <summary>What one claim costs besides its type and value strings.</summary>
    private const long ClaimOverheadBytes = 96;

    private readonly MemoryCache? _entries;
    private readonly TimeSpan _duration;
    private readonly long _smallestEntrySize;
    private readonly TimeProvider _time;

    public ValidatedTokenCache(IOptions<DescopeMcpOptions> options, TimeProvider time)
    {
        var value = options.Value;
        _duration = value.ValidatedTokenCacheDuration;
        _time = time;
        _smallestEntrySize = Math.Max(1, value.ValidatedTokenCacheMemoryLimit / value.ValidatedTokenCacheSize);
        if (_duration > TimeSpan.Zero)
        {
            _entries = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = value.ValidatedTokenCacheMemoryLimit,
                ExpirationScanFrequency = TimeSpan.FromMinutes(1),
                Clock = null,
            });
        }
    }

    /// <summary>
    /// What was remembered of the token, if it is remembered and still good under these keys at <paramref name="now"/>. The
    /// identity in it is the cache's own: a request gets a copy (<see cref="DescopeIdentity"/>), never the identity itself.
    /// </summary>
    public RememberedToken? Find(string token, OpenIdConnectConfiguration keys, DateTimeOffset now)
    {
        if (_entries is null || !_entries.TryGetValue(token, out RememberedToken? entry) || entry is null)
        {
            return null;
        }

        if (!ReferenceEquals(entry.Keys, keys) || now >= entry.ValidUntil)
        {
            _entries.Remove(token);
            return null;
        }

        return entry;
    }

    /// <summary>
    /// Remembers a token that just passed validation, with the DPoP key it is bound to (<paramref name="boundKey"/>, its
    /// <c>cnf.jkt</c>). The cache keeps <paramref name="identity"/> itself, so the caller hands out copies of it only.
    /// </summary>
    public void Remember(string token, OpenIdConnectConfiguration keys, ClaimsIdentity identity, SecurityToken validated, string? boundKey)
    {
        if (_entries is null)
        {
            return;
        }

        var expiresAt = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero);
        var validUntil = _time.GetUtcNow() + _duration;
        if (expiresAt < validUntil)
        {
            validUntil = expiresAt;
        }

        _entries.Set(token, new RememberedToken(identity, validated, boundKey, keys, validUntil), new MemoryCacheEntryOptions
        {
            Size = Math.Max(_smallestEntrySize, Weigh(token, identity)),
            AbsoluteExpirationRelativeToNow = _duration,
        });
    }

    public void Dispose() => _entries?.Dispose();

    /// <summary>
    /// An estimate of the bytes an entry keeps alive: the token string, its parsed form (about as large again) and every
    /// claim's type and value, two bytes a character.
    /// </summary>
    internal static long Weigh(string token, ClaimsIdentity identity)
    {
        long bytes = EntryOverheadBytes + (4L * token.Length);
        foreach (var claim in identity.Claims)
        {
            bytes += ClaimOverheadBytes + (2L * (claim.Type.Length + claim.Value.Length));
        }

        return bytes;
    }

    /// <summary>
    /// A remembered token: its validated claims, its parsed form, the DPoP key it is bound to, the key set that validated
    /// it and until when it holds.
    /// </summary>
    internal sealed record RememberedToken(ClaimsIdentity Identity, SecurityToken Token, string? BoundKey, OpenIdConnectConfiguration Keys, DateTimeOffset ValidUntil);
}
