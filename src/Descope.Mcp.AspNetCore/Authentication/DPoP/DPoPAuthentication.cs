using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// DPoP at this resource server: reads <c>Authorization: DPoP</c> and the <c>DPoP</c> header, validates the proof for
/// the request (method, this server's canonical URL, the token, the time window, a nonce when required), refuses a
/// replayed <c>jti</c>, and judges whether a validated token and a proven key belong together. The same checks serve the
/// JwtBearer scheme and <see cref="IDescopeTokenValidator"/>.
/// </summary>
internal sealed class DPoPAuthentication
{
    /// <summary>The authorization scheme of DPoP-bound tokens (RFC 9449 §7.1).</summary>
    public const string Scheme = "DPoP";

    /// <summary>The request header that carries the proof, and the response header that carries a nonce.</summary>
    public const string ProofHeader = "DPoP";

    public const string NonceHeader = "DPoP-Nonce";

    private const string SchemePrefix = Scheme + " ";

    private readonly DPoPProofValidator _validator = new();
    private readonly DPoPReplayCache _replays;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly TimeSpan _window;
    private readonly string _origin;
    private readonly string _mcpPath;
    private readonly string _mcpUrl;
    private readonly Func<string, string, bool>? _isValidNonce;

    public DPoPAuthentication(
        IOptions<DescopeMcpOptions> options,
        DPoPReplayCache replays,
        IDataProtectionProvider dataProtection,
        TimeProvider time,
        DescopeTelemetry telemetry)
    {
        var dpop = options.Value.DPoP;
        _replays = replays;
        _time = time;
        _telemetry = telemetry;
        _window = dpop.ProofLifetime;
        Required = dpop.Required;
        Algorithms = dpop.AllowedAlgorithms.Count > 0
            ? [.. dpop.AllowedAlgorithms.Distinct(StringComparer.Ordinal)]
            : DPoPProofValidator.SupportedAlgorithms;
        ForwardBoundTokens = dpop.BoundTokenForwarding == DPoPBoundTokenForwarding.Forward;
        var resource = new Uri(options.Value.McpServerUrl!);
        _origin = DescopeUrls.Origin(resource);
        _mcpUrl = DPoPProofValidator.NormalizeUrl(resource);
        _mcpPath = resource.AbsolutePath;

        // Bound to this server: a nonce another resource server issued on the same key ring is not valid here.
        Nonces = new DPoPNonces(dataProtection, "resource-server " + _mcpUrl, dpop.NonceLifetime, time);
        _isValidNonce = dpop.RequireNonce ? Nonces.IsValid : null;
    }

    /// <summary>The proof algorithms accepted (<c>dpop_signing_alg_values_supported</c>).</summary>
    public IReadOnlyList<string> Algorithms { get; }

    /// <summary>Whether only DPoP-bound tokens are accepted (<see cref="DPoPOptions.Required"/>).</summary>
    public bool Required { get; }

    /// <summary>Whether a DPoP caller's token may be sent to Descope (<see cref="DPoPOptions.BoundTokenForwarding"/>).</summary>
    public bool ForwardBoundTokens { get; }

    /// <summary>This server's nonces, each for one proof key.</summary>
    public DPoPNonces Nonces { get; }

    /// <summary>The token of <c>Authorization: DPoP &lt;token&gt;</c> (scheme name case-insensitive), else <see langword="null"/>.</summary>
    public static string? ReadToken(HttpRequest request, out bool usesScheme)
    {
        usesScheme = false;
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header || !header.StartsWith(SchemePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        usesScheme = true;
        var token = header.AsSpan(SchemePrefix.Length).Trim();
        return token.IsEmpty ? null : token.ToString();
    }

    /// <summary>
    /// The URL a proof for <paramref name="request"/> must name: this server's canonical origin (from
    /// <see cref="DescopeMcpOptions.McpServerUrl"/>, never the request's Host, so it holds behind a proxy) and the request's path.
    /// </summary>
    public string ExpectedUrl(HttpRequest request)
    {
        var path = request.PathBase.Add(request.Path);
        if (string.Equals(path.Value, _mcpPath, StringComparison.Ordinal))
        {
            return _mcpUrl;
        }

        return Uri.TryCreate(_origin + path.ToUriComponent(), UriKind.Absolute, out var url) ? DPoPProofValidator.NormalizeUrl(url) : _mcpUrl + "#";
    }

    /// <summary>
    /// Validates the request's one <c>DPoP</c> header for <paramref name="accessToken"/>. Its <c>jti</c> is not used up
    /// here: that waits for <see cref="UseAsync"/>, once the token is valid and bound to the proof's key.
    /// </summary>
    public DPoPProofResult ValidateRequest(HttpRequest request, string accessToken)
    {
        // No proof holds a comma: one header line with several values is several proofs.
        var proofs = request.Headers[ProofHeader];
        if (proofs.Count != 1 || proofs[0] is not { } proof || proof.Contains(','))
        {
            return Refused(proofs.Count == 0 ? DPoPProofFailure.Missing : DPoPProofFailure.Multiple);
        }

        return Validate(proof, request.Method, ExpectedUrl(request), accessToken, _isValidNonce);
    }

    /// <summary>
    /// Validates a proof presented outside an HTTP request to this server (see <see cref="IDescopeTokenValidator"/>); no
    /// nonce is asked for, since there is no response to carry one. As with <see cref="ValidateRequest"/>, the
    /// <c>jti</c> is used up only by <see cref="UseAsync"/>.
    /// </summary>
    public DPoPProofResult Validate(DescopeDPoPProof proof, string accessToken)
    {
        if (!proof.Url.IsAbsoluteUri)
        {
            return Refused(DPoPProofFailure.UrlMismatch);
        }

        return Validate(proof.Proof, proof.Method, DPoPProofValidator.NormalizeUrl(proof.Url), accessToken, isValidNonce: null);
    }

    /// <summary>
    /// Uses up the <c>jti</c> of a valid proof, once the token it came with is valid and bound to its key, so that a
    /// refused request leaves nothing behind: <see cref="DPoPProofFailure.None"/>, or why the proof cannot be accepted
    /// (<see cref="DPoPProofFailure.Replayed"/>, or the replay check being unavailable).
    /// </summary>
    public async ValueTask<DPoPProofFailure> UseAsync(DPoPProofResult proof, CancellationToken cancellationToken)
    {
        // A proof is acceptable until its iat leaves the window, at most twice the window from now.
        var use = await _replays.UseAsync(proof.Thumbprint!, proof.Jti!, _window + _window, cancellationToken);
        if (use != DPoPProofFailure.None)
        {
            Record(use);
            return use;
        }

        _telemetry.DPoPProofChecked(DPoPProofFailure.None);
        return DPoPProofFailure.None;
    }

    /// <summary>
    /// Whether a validated token and the key proven with it (if any) belong together: a bound token needs its own key's
    /// proof, a proof needs a bound token, and with <see cref="Required"/> every token must be bound.
    /// </summary>
    public DescopeTokenFailure CheckBinding(string? boundKey, string? provenKey)
    {
        var failure = (boundKey, provenKey) switch
        {
            (null, null) => Required ? DescopeTokenFailure.DPoPRequired : DescopeTokenFailure.None,
            (null, _) => DescopeTokenFailure.NotDPoPBound,
            (_, null) => DescopeTokenFailure.DPoPProofRequired,
            _ => string.Equals(boundKey, provenKey, StringComparison.Ordinal) ? DescopeTokenFailure.None : DescopeTokenFailure.InvalidDPoPProof,
        };
        if (failure == DescopeTokenFailure.InvalidDPoPProof)
        {
            Record(DPoPProofFailure.KeyMismatch);
        }

        return failure;
    }

    private DPoPProofResult Validate(string? proof, string method, string url, string accessToken, Func<string, string, bool>? isValidNonce)
    {
        var result = _validator.Validate(proof, new DPoPProofExpectations
        {
            Method = method,
            Url = url,
            AccessToken = accessToken,
            AllowedAlgorithms = Algorithms,
            IssuedAtWindow = _window,
            Now = _time.GetUtcNow(),
            IsValidNonce = isValidNonce,
        });
        if (!result.IsValid)
        {
            Record(result.Failure);
        }

        return result;
    }

    private DPoPProofResult Refused(DPoPProofFailure failure)
    {
        Record(failure);
        return DPoPProofResult.Fail(failure);
    }

    private void Record(DPoPProofFailure failure)
    {
        _telemetry.DPoPProofChecked(failure);
    }
}
