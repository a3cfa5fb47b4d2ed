namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// How a <see cref="DescopeTestAuthority"/> starts.
/// </summary>
public sealed class DescopeTestAuthorityOptions
{
    /// <summary>The project ID. Default: <c>P2TestProject</c>.</summary>
    public string ProjectId { get; set; } = "P2TestProject";

    /// <summary>The MCP server ID. Default: <c>MS2TestServer</c>.</summary>
    public string McpServerId { get; set; } = "MS2TestServer";

    /// <summary>
    /// Where Kestrel listens, for example <c>http://127.0.0.1:0</c> (the default: any free loopback port).
    /// Ignored when <see cref="InProcess"/> is set.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>
    /// Serve in memory through <c>TestServer</c> at <c>https://api.descope.test</c> instead of on a socket. Route the
    /// library's HTTP clients to it with <c>services.AddDescopeTestAuthority(authority)</c>.
    /// </summary>
    public bool InProcess { get; set; }

    /// <summary>The audience minted tokens carry unless a token says otherwise, usually the MCP server URL.</summary>
    public string? DefaultAudience { get; set; }

    /// <summary>The clock used for token lifetimes. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long access tokens from the token endpoint live. Default: one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an authorization code can be redeemed. Default: one minute.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Let a person decide in the browser instead of consenting at once. The authorize endpoint then shows a page with the
    /// client, the resource, the declared users to sign in as and the requested scopes to approve or deny, and a connect
    /// URL from the connection vault shows a page to allow or cancel the connection. Default: <see langword="false"/>,
    /// automatic consent as <see cref="DescopeTestAuthority.SignedInUser"/> (or <c>login_hint</c>), for tests.
    /// </summary>
    public bool InteractiveConsent { get; set; }

    /// <summary>
    /// Make a token request's first DPoP proof fail with <c>use_dpop_nonce</c> and a <c>DPoP-Nonce</c> header, and accept
    /// proofs signed with a nonce the authority issued in the last five minutes (RFC 9449 §8), as Descope does.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool RequireDPoPNonce { get; set; } = true;

    /// <summary>
    /// Refuse token requests without a DPoP proof (<c>invalid_dpop_proof</c>), so every token is DPoP-bound. Default:
    /// <see langword="false"/>: without a proof the token endpoint issues bearer tokens.
    /// </summary>
    public bool RequireDPoP { get; set; }
}
