using System.Security.Claims;
using System.Text;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.Extensions.Primitives;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Builds every <c>WWW-Authenticate</c> value this library sends: <c>Bearer</c> (RFC 6750 §3, RFC 9728 §5.1) and
/// <c>DPoP</c> (RFC 9449 §7.1). A 401 offers both schemes as two header values, <c>Bearer</c> first (only <c>DPoP</c> when
/// DPoP is required); the error goes on the scheme the request used. Values come from configuration and fixed text only;
/// nothing from a token, proof or request is ever written into the header.
/// </summary>
internal sealed class BearerChallenge
{
    private const string BearerScheme = "Bearer";

    private readonly ProtectedResource _resource;
    private readonly bool _dpopRequired;
    private readonly string _algs;
    private readonly string _bearerWithoutToken;
    private readonly string _dpopWithoutToken;
    private readonly string _dpopNonce;
    private readonly string[] _bearerInvalidToken;
    private readonly string[] _dpopInvalidToken;
    private readonly string[] _dpopInvalidProof;

    public BearerChallenge(ProtectedResource resource, DPoPAuthentication dpop)
    {
        _resource = resource;
        _dpopRequired = dpop.Required;
        _algs = string.Join(' ', dpop.Algorithms);

        // What a client should ask for first: the scopes every request needs, else everything the server uses, which is
        // what a client would request from scopes_supported anyway (MCP 2025-11-25 scope selection).
        var firstScopes = resource.RequiredScopes.Count > 0 ? resource.RequiredScopes : resource.ScopesSupported;
        var scope = firstScopes.Count > 0 ? string.Join(' ', firstScopes) : null;
        _bearerWithoutToken = Build(BearerScheme, error: null, description: null, scope);
        _dpopWithoutToken = Build(DPoPAuthentication.Scheme, error: null, description: null, scope);
        _dpopNonce = Build(DPoPAuthentication.Scheme, "use_dpop_nonce", DPoPProofResult.Describe(DPoPProofFailure.InvalidNonce), scope);

        var failures = Enum.GetValues<DescopeTokenFailure>();
        _bearerInvalidToken = new string[failures.Length];
        _dpopInvalidToken = new string[failures.Length];
        foreach (var failure in failures)
        {
            var description = DescopeTokenValidationResult.Describe(failure);
            _bearerInvalidToken[(int)failure] = Build(BearerScheme, "invalid_token", description, scope);
            _dpopInvalidToken[(int)failure] = Build(DPoPAuthentication.Scheme, "invalid_token", description, scope);
        }

        var proofFailures = Enum.GetValues<DPoPProofFailure>();
        _dpopInvalidProof = new string[proofFailures.Length];
        foreach (var failure in proofFailures)
        {
            _dpopInvalidProof[(int)failure] = Build(
                DPoPAuthentication.Scheme,
                "invalid_dpop_proof",
                DPoPProofResult.Describe(failure) ?? DescopeTokenValidationResult.Describe(DescopeTokenFailure.InvalidDPoPProof),
                scope);
        }
    }

    /// <summary>
    /// 401 for a request without a token (no <c>error</c>, RFC 6750 §3.1) or with a refused one; <paramref name="usedDPoP"/>
    /// says whether the request presented its token with the DPoP scheme, <paramref name="proofFailure"/> why its proof
    /// was refused.
    /// </summary>
    public StringValues Unauthorized(DescopeTokenFailure? failure, bool usedDPoP, DPoPProofFailure proofFailure)
    {
        var bearer = _bearerWithoutToken;
        var dpop = _dpopWithoutToken;
        if (failure is { } f && f != DescopeTokenFailure.None)
        {
            if (usedDPoP || _dpopRequired)
            {
                dpop = f switch
                {
                    DescopeTokenFailure.InvalidDPoPProof => _dpopInvalidProof[(int)proofFailure],
                    DescopeTokenFailure.DPoPNonceRequired => _dpopNonce,
                    _ => _dpopInvalidToken[(int)f],
                };
            }
            else
            {
                bearer = _bearerInvalidToken[(int)f];
            }
        }

        return _dpopRequired ? new StringValues(dpop) : new StringValues([bearer, dpop]);
    }

    /// <summary>
    /// 401 for a request without a token that asked for something needing <paramref name="scopes"/>: the challenge of
    /// <see cref="Unauthorized"/> with those scopes, so a client asks for them when it signs in and needs no step-up after.
    /// </summary>
    public StringValues SignIn(IReadOnlyCollection<string> scopes)
    {
        if (scopes.Count == 0)
        {
            return Unauthorized(failure: null, usedDPoP: false, DPoPProofFailure.None);
        }

        var scope = string.Join(' ', scopes);
        var dpop = Build(DPoPAuthentication.Scheme, error: null, description: null, scope);
        return _dpopRequired ? new StringValues(dpop) : new StringValues([Build(BearerScheme, error: null, description: null, scope), dpop]);
    }

    /// <summary>403 for a token that lacks scopes: names every scope the operation needs.</summary>
    public string InsufficientScope(IEnumerable<string> requiredScopes) =>
        Build(BearerScheme, "insufficient_scope", null, string.Join(' ', requiredScopes));

    /// <summary>
    /// A <c>Bearer</c> challenge built here, in the scheme <paramref name="user"/> authenticated with: a DPoP caller is
    /// challenged with <c>DPoP</c> and the same parameters (RFC 9449 §7.1).
    /// </summary>
    public static string ForCaller(ClaimsPrincipal? user, string bearerChallenge) =>
        DescopeIdentity.IsDPoP(user) && bearerChallenge.StartsWith(BearerScheme + " ", StringComparison.Ordinal)
            ? DPoPAuthentication.Scheme + bearerChallenge[BearerScheme.Length..]
            : bearerChallenge;

    private string Build(string scheme, string? error, string? description, string? scope)
    {
        var builder = new StringBuilder(scheme).Append(' ');
        if (scheme == DPoPAuthentication.Scheme)
        {
            builder.Append("algs=\"").Append(_algs).Append("\", ");
        }

        if (error is not null)
        {
            builder.Append("error=\"").Append(error).Append("\", ");
        }

        if (description is not null)
        {
            builder.Append("error_description=\"").Append(description).Append("\", ");
        }

        if (!string.IsNullOrEmpty(scope))
        {
            builder.Append("scope=\"").Append(scope).Append("\", ");
        }

        builder.Append("resource_metadata=\"").Append(_resource.ResourceMetadataUrl).Append('"');
        return builder.ToString();
    }
}
