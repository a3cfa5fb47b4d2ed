using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Testing.Tokens;

/// <summary>
/// Writes compact JWS tokens byte by byte, so tests can produce tokens no well-behaved library would.
/// </summary>
internal static class TestTokenWriter
{
    public static string Write(TestTokenDescriptor descriptor, TestSigningKeyRing keys, string defaultIssuer, string? defaultAudience, TimeProvider time)
    {
        // A token that expired long ago was also issued long ago: keep iat <= nbf < exp unless the test sets them.
        var clock = time.GetUtcNow();
        var now = descriptor.IssuedAt
            ?? (descriptor.ExpiresAt is { } exp && exp <= clock ? exp.AddHours(-1) : clock);
        var payload = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (descriptor.Subject is not null)
        {
            payload["sub"] = descriptor.Subject;
        }

        payload["iss"] = descriptor.Issuer ?? defaultIssuer;
        if (descriptor.Audiences is not null)
        {
            payload["aud"] = descriptor.Audiences;
        }
        else if ((descriptor.Audience ?? defaultAudience) is { } audience)
        {
            payload["aud"] = audience;
        }

        if (descriptor.Scopes.Count > 0)
        {
            payload["scope"] = string.Join(' ', descriptor.Scopes);
        }

        payload["iat"] = now.ToUnixTimeSeconds();
        payload["nbf"] = (descriptor.NotBefore ?? now).ToUnixTimeSeconds();
        if (!descriptor.OmitExpiration)
        {
            payload["exp"] = (descriptor.ExpiresAt ?? now.AddHours(1)).ToUnixTimeSeconds();
        }

        if (descriptor.DPoPThumbprint is { } jkt)
        {
            payload["cnf"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["jkt"] = jkt };
        }

        foreach (var (name, value) in descriptor.Claims)
        {
            payload[name] = value;
        }

        var (signingKeyId, signingKey) = keys.Current;
        var header = new Dictionary<string, object?>(StringComparer.Ordinal) { ["typ"] = "JWT" };
        switch (descriptor.Signing)
        {
            case TestSigningMode.AlgNone:
                header["alg"] = "none";
                break;
            case TestSigningMode.HmacWithPublicKey:
                header["alg"] = "HS256";
                header["kid"] = descriptor.KeyId ?? signingKeyId;
                break;
            case TestSigningMode.UntrustedKey:
                header["alg"] = "RS256";
                header["kid"] = descriptor.KeyId ?? "untrusted-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
                break;
            default:
                header["alg"] = descriptor.Algorithm;
                header["kid"] = descriptor.KeyId ?? signingKeyId;
                if (descriptor.KeyId is not null && keys.Find(descriptor.KeyId) is { } chosen)
                {
                    signingKey = chosen;
                }

                break;
        }

        foreach (var (name, value) in descriptor.Header)
        {
            header[name] = value;
        }

        var signingInput = Encode(header) + "." + Encode(payload);
        var input = Encoding.ASCII.GetBytes(signingInput);
        var signature = descriptor.Signing switch
        {
            TestSigningMode.AlgNone => [],
            TestSigningMode.HmacWithPublicKey => HMACSHA256.HashData(signingKey.ExportSubjectPublicKeyInfo(), input),
            TestSigningMode.UntrustedKey => keys.Untrusted.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => signingKey.SignData(input, HashFor(descriptor.Algorithm), RSASignaturePadding.Pkcs1),
        };

        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string Encode(Dictionary<string, object?> json) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(json));

    private static HashAlgorithmName HashFor(string algorithm) => algorithm switch
    {
        "RS384" => HashAlgorithmName.SHA384,
        "RS512" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };
}
