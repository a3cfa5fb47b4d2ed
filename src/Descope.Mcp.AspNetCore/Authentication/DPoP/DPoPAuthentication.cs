using Descope.Mcp.AspNetCore.Descope;
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

    /// <summary>Distinct from any other user of <see cref="DPoPNonces"/> (a development authority has its own).</summary>
    private const string NoncePurpose = "resource-server";

    private readonly DPoPProofValidator _validator = new();
    private readonly DPoPReplayCache _replays;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly TimeSpan _window;
    private readonly string _origin;
    private readonly string _mcpPath;
    private readonly string _mcpUrl;
    private readonly Func<string, bool>? _isValidNonce;

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
        Nonces = new DPoPNonces(dataProtection, NoncePurpose, dpop.NonceLifetime, time);
        _isValidNonce = dpop.RequireNonce ? Nonces.IsValid : null;

        var resource = new Uri(options.Value.McpServerUrl!);
        _origin = DescopeUrls.Origin(resource);
        _mcpUrl = DPoPProofValidator.NormalizeUrl(resource);
        _mcpPath = resource.AbsolutePath;
    }

    /// <summary>The proof algorithms accepted (<c>dpop_signing_alg_values_supported</c>).</summary>
    public IReadOnlyList<string> Algorithms { get; }

    /// <summary>Whether only DPoP-bound tokens are accepted (<see cref="DPoPOptions.Required"/>).</summary>
    public bool Required { get; }

    /// <summary>Whether a DPoP caller's token may be sent to Descope (<see cref="DPoPOptions.BoundTokenForwarding"/>).</summary>
    public bool ForwardBoundTokens { get; }

    /// <summary>This server's nonces.</summary>
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

    /// <summary>Validates the request's one <c>DPoP</c> header for <paramref name="accessToken"/>, and uses up its <c>jti</c>.</summary>
    public ValueTask<DPoPProofResult> ValidateRequestAsync(HttpRequest request, string accessToken, CancellationToken cancellationToken)
    {
        // No proof holds a comma: one header line with several values is several proofs.
        var proofs = request.Headers[ProofHeader];
        if (proofs.Count != 1 || proofs[0] is not { } proof || proof.Contains(','))
        {
            return ValueTask.FromResult(Refused(proofs.Count == 0 ? DPoPProofFailure.Missing : DPoPProofFailure.Multiple));
        }

        return ValidateAsync(proof, request.Method, ExpectedUrl(request), accessToken, _isValidNonce, cancellationToken);
    }

    /// <summary>
    /// Validates a proof presented outside an HTTP request to this server (see <see cref="IDescopeTokenValidator"/>); no
    /// nonce is asked for, since there is no response to carry one.
    /// </summary>
    public ValueTask<DPoPProofResult> ValidateAsync(DescopeDPoPProof proof, string accessToken, CancellationToken cancellationToken)
    {
        if (!proof.Url.IsAbsoluteUri)
        {
            return ValueTask.FromResult(Refused(DPoPProofFailure.UrlMismatch));
        }

        return ValidateAsync(proof.Proof, proof.Method, DPoPProofValidator.NormalizeUrl(proof.Url), accessToken, isValidNonce: null, cancellationToken);
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

    private async ValueTask<DPoPProofResult> ValidateAsync(
        string? proof, string method, string url, string accessToken, Func<string, bool>? isValidNonce, CancellationToken cancellationToken)
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
            return Refused(result.Failure);
        }

        // A proof is acceptable until its iat leaves the window, at most twice the window from now.
        var use = await _replays.UseAsync(result.Thumbprint!, result.Jti!, _window + _window, cancellationToken);
        if (use != DPoPProofFailure.None)
        {
            return Refused(use);
        }

        _telemetry.DPoPProofChecked(DPoPProofFailure.None);
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
