using System.Collections.Concurrent;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The DPoP proofs of token requests (RFC 9449 §5): checked with the library's proof validator (<c>htm</c> POST,
/// <c>htu</c> the token endpoint, no <c>ath</c>), with the authority's own server nonces (§8) when
/// <see cref="DescopeTestAuthorityOptions.RequireDPoPNonce"/> is on, and each <c>jti</c> accepted once per key.
/// </summary>
internal sealed class TokenRequestProofs
{
    public const string HeaderName = "DPoP";
    public const string NonceHeaderName = "DPoP-Nonce";

    /// <summary>How far a proof's <c>iat</c> may be from now, as at the resource server.</summary>
    public static readonly TimeSpan IssuedAtWindow = TimeSpan.FromMinutes(5);

    /// <summary>How long a nonce the authority hands out stays good.</summary>
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(5);

    private readonly DescopeTestAuthority _authority;
    private readonly DPoPProofValidator _validator = new();
    private readonly DPoPNonces? _nonces;

    /// <summary>Used proofs by thumbprint and <c>jti</c>, until their <c>iat</c> leaves the window.</summary>
    private readonly ConcurrentDictionary<(string Jkt, string Jti), DateTimeOffset> _used = new();

    public TokenRequestProofs(DescopeTestAuthority authority, IDataProtectionProvider dataProtection)
    {
        _authority = authority;
        if (authority.RequiresDPoPNonce)
        {
            _nonces = new DPoPNonces(dataProtection, "Descope.Mcp.AspNetCore.Testing.TokenEndpoint", NonceLifetime, authority.TimeProvider);
        }
    }

    /// <summary>
    /// Checks the request's proof: the thumbprint of its key when there is a valid one, no thumbprint and no failure when
    /// the request has none and none is required, else the error to answer with.
    /// </summary>
    public (string? Jkt, IResult? Failure) Check(HttpRequest request)
    {
        var proofs = request.Headers[HeaderName];
        if (proofs.Count == 0)
        {
            return _authority.RequiresDPoP
                ? (null, InvalidProof("This authority requires DPoP: send a DPoP proof with the token request."))
                : (null, null);
        }

        if (proofs.Count > 1)
        {
            return (null, InvalidProof(DPoPProofResult.Describe(DPoPProofFailure.Multiple)!));
        }

        var now = _authority.TimeProvider.GetUtcNow();
        var result = _validator.Validate(proofs[0], new DPoPProofExpectations
        {
            Method = HttpMethods.Post,
            Url = DPoPProofValidator.NormalizeUrl(new Uri(_authority.TokenEndpoint)),
            AllowedAlgorithms = DPoPProofValidator.SupportedAlgorithms,
            IssuedAtWindow = IssuedAtWindow,
            Now = now,
            IsValidNonce = _nonces is null ? null : _nonces.IsValid,
        });
        if (result.Failure == DPoPProofFailure.InvalidNonce)
        {
            // RFC 9449 §8: the error, and a nonce to sign the retry with.
            return (null, new NonceChallenge(_nonces!.Create(result.Thumbprint!)));
        }

        if (!result.IsValid)
        {
            return (null, InvalidProof(result.Description!));
        }

        Prune(now);
        return _used.TryAdd((result.Thumbprint!, result.Jti!), result.IssuedAt + IssuedAtWindow)
            ? (result.Thumbprint, null)
            : (null, InvalidProof(DPoPProofResult.Describe(DPoPProofFailure.Replayed)!));
    }

    /// <summary>Whether a value can be a SHA-256 JWK thumbprint, base64url (<c>dpop_jkt</c>).</summary>
    public static bool IsThumbprint(string value) => value.Length == 43 && value.All(DPoPProofValidator.IsBase64UrlChar);

    private static IResult InvalidProof(string description) => OAuthResults.Error("invalid_dpop_proof", description + ".");

    /// <summary>Forgets proofs too old to be accepted again anyway.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, until) in _used)
        {
            if (until < now)
            {
                _used.TryRemove(key, out _);
            }
        }
    }

    private sealed class NonceChallenge(string nonce) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[NonceHeaderName] = nonce;
            return OAuthResults.Error("use_dpop_nonce", "Sign the token request's DPoP proof with the nonce in the DPoP-Nonce header.").ExecuteAsync(httpContext);
        }
    }
}
