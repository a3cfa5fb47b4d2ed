using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Testing.Tokens;

/// <summary>
/// The authority's RSA keys: the newest signs, every published key appears in the JWKS.
/// </summary>
internal sealed class TestSigningKeyRing : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(string KeyId, RSA Key)> _published = [];
    private int _generation;

    private readonly Lazy<RSA> _untrusted = new(() => RSA.Create(2048));

    public TestSigningKeyRing() => Rotate(retirePrevious: false);

    /// <summary>A key that is never published: what an attacker signs with.</summary>
    public RSA Untrusted => _untrusted.Value;

    public (string KeyId, RSA Key) Current
    {
        get
        {
            lock (_gate)
            {
                return _published[^1];
            }
        }
    }

    public string Rotate(bool retirePrevious)
    {
        var key = RSA.Create(2048);
        lock (_gate)
        {
            var keyId = $"K{++_generation}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}";
            if (retirePrevious)
            {
                foreach (var (_, old) in _published)
                {
                    old.Dispose();
                }

                _published.Clear();
            }

            _published.Add((keyId, key));
            return keyId;
        }
    }

    public RSA? Find(string keyId)
    {
        lock (_gate)
        {
            return _published.FirstOrDefault(k => k.KeyId == keyId).Key;
        }
    }

    /// <summary>Every published key, for validating the tokens this authority signed.</summary>
    public IReadOnlyList<(string KeyId, RSA Key)> Published()
    {
        lock (_gate)
        {
            return [.. _published];
        }
    }

    /// <summary>The JWKS document: public parts only.</summary>
    public object ToJwks()
    {
        lock (_gate)
        {
            return new
            {
                keys = _published.Select(k =>
                {
                    var parameters = k.Key.ExportParameters(includePrivateParameters: false);
                    return new Dictionary<string, string>
                    {
                        ["kty"] = "RSA",
                        ["use"] = "sig",
                        ["alg"] = "RS256",
                        ["kid"] = k.KeyId,
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                        ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    };
                }).ToArray(),
            };
        }
    }

    public void Dispose()
    {
        if (_untrusted.IsValueCreated)
        {
            _untrusted.Value.Dispose();
        }

        lock (_gate)
        {
            foreach (var (_, key) in _published)
            {
                key.Dispose();
            }

            _published.Clear();
        }
    }
}
