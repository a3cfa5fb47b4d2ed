namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Settings for DPoP-bound access tokens (RFC 9449), bound from <c>Descope:DPoP</c>. A token whose <c>cnf.jkt</c> binds
/// it to a key is accepted only as <c>Authorization: DPoP</c> with a valid proof of that key, whatever these settings say.
/// </summary>
public sealed class DPoPOptions
{
    /// <summary>
    /// Refuse tokens that are not DPoP-bound, and bearer presentation altogether; the protected resource metadata then
    /// says <c>dpop_bound_access_tokens_required: true</c>. Default: <see langword="false"/>.
    /// </summary>
    public bool Required { get; set; }

    /// <summary>
    /// Require a server nonce in every proof (RFC 9449 §9): a proof without a current one gets 401
    /// <c>error="use_dpop_nonce"</c> with a fresh nonce in the <c>DPoP-Nonce</c> header. Nonces are sealed with ASP.NET
    /// Core Data Protection, so instances behind a load balancer must share its key ring. Default: <see langword="false"/>.
    /// </summary>
    public bool RequireNonce { get; set; }

    /// <summary>
    /// The proof algorithms accepted, advertised as <c>dpop_signing_alg_values_supported</c> and in <c>algs</c>. Empty
    /// (the default) means ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384 and PS512. EdDSA is not supported.
    /// </summary>
    public IList<string> AllowedAlgorithms { get; } = [];

    /// <summary>
    /// How far a proof's <c>iat</c> may lie before or after this server's clock; also how long a proof's <c>jti</c> is
    /// remembered against replay. Default: 5 minutes.
    /// </summary>
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a server nonce stays valid when <see cref="RequireNonce"/> is set. Default: 5 minutes.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What connection tokens and token exchange do with a DPoP caller's token, which only its holder's key can
    /// present. Default: <see cref="DPoPBoundTokenForwarding.Forward"/>.
    /// </summary>
    public DPoPBoundTokenForwarding BoundTokenForwarding { get; set; }

    /// <summary>
    /// A StackExchange.Redis configuration string (for example <c>redis.internal:6379,ssl=true,password=...</c>) of the
    /// Redis that instances behind one load balancer share: each proof's first use is then claimed there with one atomic
    /// <c>SET NX</c>, so exactly one instance accepts a proof, and a proof is refused while Redis does not answer. When
    /// it is not set, an <c>IConnectionMultiplexer</c> registered by the app serves the same purpose; without either,
    /// proofs are checked across instances through the app's <c>HybridCache</c>, which is not atomic. Default: none.
    /// </summary>
    public string? ReplayRedis { get; set; }
}
