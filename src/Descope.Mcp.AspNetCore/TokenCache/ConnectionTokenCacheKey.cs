using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.DescopeApi;

namespace Descope.Mcp.AspNetCore.TokenCache;

/// <summary>
/// The cache key of a token request: a prefix and a SHA-256 over the project, the owner (user or tenant), the app, the
/// sorted scope set and the credential Descope was asked with. Binding the key to the caller's own access token means
/// a cached token is only ever handed back under the authority that fetched it. Nothing readable about the user or the
/// token is in the key, so a shared cache (Redis) learns nothing from it.
/// </summary>
internal static class ConnectionTokenCacheKey
{
    public static string For(ConnectionFetch fetch, DescopeProject project)
    {
        // Built in a pooled buffer: this runs on every cache hit.
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var length = 0;
            Append(ref buffer, ref length, "v1");
            Append(ref buffer, ref length, project.BaseUrl.AbsoluteUri);
            Append(ref buffer, ref length, project.ProjectId);
            Append(ref buffer, ref length, fetch.Owner == ConnectionOwner.User ? "user" : "tenant");
            Append(ref buffer, ref length, fetch.AppId);
            Append(ref buffer, ref length, fetch.UserId);
            Append(ref buffer, ref length, fetch.TenantId);
            foreach (var scope in fetch.Scopes.Order(StringComparer.Ordinal))
            {
                Append(ref buffer, ref length, scope);
            }

            Append(ref buffer, ref length, fetch.Credential.IsManagementKey ? "management-key" : "caller-token");
            Append(ref buffer, ref length, fetch.Credential.Secret);
            return Hash(ConnectionTokenDefaults.CacheKeyPrefix, buffer, length);
        }
        finally
        {
            // The buffer held the caller's token: wipe it before another renter sees it.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>
    /// The cache key of a token exchange: the project, the MCP server's client, the audience, the sorted scope set and
    /// the caller's token that is exchanged.
    /// </summary>
    public static string ForExchange(string audience, IReadOnlyList<string> scopes, string clientId, string subjectToken, DescopeProject project)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var length = 0;
            Append(ref buffer, ref length, "v1");
            Append(ref buffer, ref length, project.BaseUrl.AbsoluteUri);
            Append(ref buffer, ref length, project.ProjectId);
            Append(ref buffer, ref length, clientId);
            Append(ref buffer, ref length, audience);
            foreach (var scope in scopes.Order(StringComparer.Ordinal))
            {
                Append(ref buffer, ref length, scope);
            }

            Append(ref buffer, ref length, subjectToken);
            return Hash(ExchangedTokenPrefix, buffer, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>The prefix of exchanged tokens' cache keys.</summary>
    public const string ExchangedTokenPrefix = "descope-mcp:exchanged-token:";

    /// <summary>The prefix followed by the base64url SHA-256 of the bytes, in the one string it allocates.</summary>
    internal static string Hash(string prefix, byte[] buffer, int length)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.AsSpan(0, length), hash);
        Span<char> encoded = stackalloc char[Base64Url.GetEncodedLength(SHA256.HashSizeInBytes)];
        Base64Url.EncodeToChars(hash, encoded);
        return string.Concat(prefix.AsSpan(), encoded);
    }

    // Each value is length-prefixed, so no two different requests can produce the same bytes.
    internal static void Append(ref byte[] buffer, ref int length, string? value)
    {
        var size = value is null ? 0 : Encoding.UTF8.GetByteCount(value);
        if (length + 4 + size > buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((length + 4 + size) * 2);
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            buffer = larger;
        }

        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(length), value is null ? -1 : size);
        length += 4;
        if (value is not null)
        {
            length += Encoding.UTF8.GetBytes(value, buffer.AsSpan(length));
        }
    }
}
