using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Descope.Mcp.AspNetCore.Descope;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Connections;

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
        var buffer = new ArrayBufferWriter<byte>(512);
        Append(buffer, "v1");
        Append(buffer, project.BaseUrl.AbsoluteUri);
        Append(buffer, project.ProjectId);
        Append(buffer, fetch.Owner == ConnectionOwner.User ? "user" : "tenant");
        Append(buffer, fetch.AppId);
        Append(buffer, fetch.UserId);
        Append(buffer, fetch.TenantId);
        foreach (var scope in fetch.Scopes.Order(StringComparer.Ordinal))
        {
            Append(buffer, scope);
        }

        Append(buffer, fetch.Credential.IsManagementKey ? "management-key" : "caller-token");
        Append(buffer, fetch.Credential.Secret);
        return ConnectionTokenDefaults.CacheKeyPrefix + Base64UrlEncoder.Encode(SHA256.HashData(buffer.WrittenSpan));
    }

    // Each value is length-prefixed, so no two different requests can produce the same bytes.
    private static void Append(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write<byte>([0xFF, 0xFF, 0xFF, 0xFF]);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        BitConverter.TryWriteBytes(buffer.GetSpan(4), length);
        buffer.Advance(4);
        buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(length)));
    }
}
