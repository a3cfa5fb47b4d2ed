using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Remembers tokens that passed validation, keyed by the whole token string (never a hash that could collide), so
/// repeated requests with the same token skip the signature check and claim parsing, which is most of what
/// authentication costs. An entry lives at most <see cref="DescopeMcpOptions.ValidatedTokenCacheDuration"/>, never past
/// the token's expiry, and only while the key set that validated it is current. Refusals are never remembered.
/// </summary>
internal sealed class ValidatedTokenCache : IDisposable
{
    private readonly MemoryCache? _entries;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;

    public ValidatedTokenCache(IOptions<DescopeMcpOptions> options, TimeProvider time)
    {
        _duration = options.Value.ValidatedTokenCacheDuration;
        _time = time;
        if (_duration > TimeSpan.Zero)
        {
            _entries = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = options.Value.ValidatedTokenCacheSize,
                ExpirationScanFrequency = TimeSpan.FromMinutes(1),
                Clock = null,
            });
        }
    }

    /// <summary>A copy of the remembered principal, if the token is remembered and still good under these keys.</summary>
    public DescopeTokenValidationResult? Find(string token, OpenIdConnectConfiguration keys)
    {
        if (_entries is null || !_entries.TryGetValue(token, out Entry? entry) || entry is null)
        {
            return null;
        }

        if (!ReferenceEquals(entry.Keys, keys) || _time.GetUtcNow() >= entry.ValidUntil)
        {
            _entries.Remove(token);
            return null;
        }

        // Each request gets its own principal: app code may add identities or claims to it.
        return DescopeTokenValidationResult.Success(new ClaimsPrincipal(entry.Identity.Clone()), entry.ExpiresAt);
    }

    public void Remember(string token, OpenIdConnectConfiguration keys, ClaimsIdentity identity, DateTimeOffset expiresAt)
    {
        if (_entries is null)
        {
            return;
        }

        var validUntil = _time.GetUtcNow() + _duration;
        if (expiresAt < validUntil)
        {
            validUntil = expiresAt;
        }

        // The cache holds a private copy, so later changes to the request's principal never reach other requests.
        _entries.Set(token, new Entry(identity.Clone(), keys, expiresAt, validUntil), new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = _duration,
        });
    }

    public void Dispose() => _entries?.Dispose();

    private sealed record Entry(ClaimsIdentity Identity, OpenIdConnectConfiguration Keys, DateTimeOffset ExpiresAt, DateTimeOffset ValidUntil);
}
