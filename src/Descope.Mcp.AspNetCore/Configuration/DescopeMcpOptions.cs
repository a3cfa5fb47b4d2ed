namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Settings for Descope on an MCP server, bound from the <c>Descope</c> configuration section.
/// </summary>
public sealed class DescopeMcpOptions
{
    /// <summary>
    /// The canonical URL of this MCP server's endpoint, for example <c>https://mcp.example.com/mcp</c>.
    /// Required. Tokens must carry it as audience, and it is the <c>resource</c> of the protected resource metadata.
    /// </summary>
    public string? McpServerUrl { get; set; }

    /// <summary>
    /// The MCP Server discovery URL shown in the Descope console, for example
    /// <c>https://api.descope.com/v1/apps/agentic/P2abc/MS2def/.well-known/openid-configuration</c>.
    /// When absent it is derived from <see cref="ProjectId"/> and <see cref="McpServerId"/>.
    /// </summary>
    public string? WellKnownUrl { get; set; }

    /// <summary>The Descope project ID (starts with <c>P</c>). Derived from <see cref="WellKnownUrl"/> when absent.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The Descope MCP server ID (starts with <c>MS</c>). Derived from <see cref="WellKnownUrl"/> when absent.</summary>
    public string? McpServerId { get; set; }

    /// <summary>
    /// The Descope API base URL. When absent: the origin of <see cref="WellKnownUrl"/>, else the project's region
    /// (<c>https://api.&lt;region&gt;.descope.com</c> for 32-character project IDs, else <c>https://api.descope.com</c>).
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// An optional Descope management key. Connection token requests use it only for work without a caller token
    /// (requests made with it bypass Descope's connection policies); relation checks (<see cref="RequireRelationAttribute"/>,
    /// <see cref="IDescopeRelations"/>) always use it, and startup fails without it when a tool, prompt or resource requires
    /// relations.
    /// </summary>
    public string? ManagementKey { get; set; }

    /// <summary>Audiences accepted in addition to <see cref="McpServerUrl"/>. Empty by default.</summary>
    public IList<string> AdditionalAudiences { get; } = [];

    /// <summary>The JWS algorithms a token may be signed with. Empty (the default) means <c>RS256</c> only.</summary>
    public IList<string> AllowedSigningAlgorithms { get; } = [];

    /// <summary>
    /// Tolerance for <c>exp</c> and <c>nbf</c> against this server's clock. Default: 30 seconds, enough for
    /// ordinary clock drift while keeping expired tokens short-lived.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The scopes advertised as <c>scopes_supported</c> in the protected resource metadata. Empty (the default) means the
    /// scopes the server uses: <see cref="RequiredScopes"/> and every scope named by <see cref="RequireScopesAttribute"/>
    /// on its MCP tools, prompts and resources. Never <c>offline_access</c>.
    /// </summary>
    public IList<string> ScopesSupported { get; } = [];

    /// <summary>
    /// Scopes every request to a Descope-protected endpoint needs, in addition to what its tools require. 401 challenges
    /// name them in <c>scope</c>, so clients ask for them first. Empty by default.
    /// </summary>
    public IList<string> RequiredScopes { get; } = [];

    /// <summary>
    /// Broader scopes and the narrower scopes each implies, for example <c>calendar</c> implying <c>calendar.read</c> and
    /// <c>calendar.write</c>. Implication is transitive. A token granting a broader scope satisfies every requirement for
    /// the scopes it implies (<see cref="RequireScopesAttribute"/>, <see cref="RequiredScopes"/>, list filtering, the
    /// step-up gate and the <see cref="DescopeClaimsPrincipalExtensions"/> checks); a narrower scope never satisfies a
    /// broader one. Challenges still name the scopes an operation requires. Bound from configuration as
    /// <c>Descope:ScopeHierarchy:calendar:0=calendar.read</c>. Empty by default.
    /// </summary>
    public IDictionary<string, string[]> ScopeHierarchy { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>
    /// How a <c>tools/call</c>, <c>prompts/get</c>, <c>resources/read</c>, <c>resources/subscribe</c>,
    /// <c>resources/unsubscribe</c> or <c>completion/complete</c> the caller may not make is answered. Default:
    /// <see cref="ToolAuthorizationFailureMode.Forbidden"/>, HTTP 403 with a step-up challenge.
    /// </summary>
    public ToolAuthorizationFailureMode ToolAuthorizationFailureMode { get; set; }

    /// <summary>
    /// What a request without credentials may do on a protected MCP endpoint. Default: <see cref="AnonymousAccess.None"/>,
    /// every request needs a token. <see cref="AnonymousAccess.PublicPrimitives"/> lets such a request initialize, list and
    /// use the tools, prompts and resources marked <c>[AllowAnonymous]</c>, and answers anything else with the ordinary
    /// 401 challenge.
    /// </summary>
    public AnonymousAccess AnonymousAccess { get; set; }

    /// <summary>
    /// Whether <c>tools/list</c>, <c>prompts/list</c>, <c>resources/list</c> and <c>resources/templates/list</c> show a
    /// caller only what it may use. Default: <see langword="true"/>. When <see langword="false"/>, lists show every tool,
    /// prompt and resource (tools with their <c>securitySchemes</c>), so clients that only call what they see can reach
    /// the step-up; using one the caller may not use is still refused before it runs.
    /// </summary>
    public bool HideUnauthorizedPrimitives { get; set; } = true;

    /// <summary>
    /// The largest MCP request body, in bytes, the authorization check reads before the MCP server sees it; larger ones get
    /// 413. On protocol 2026-07-28 and later only requests of the methods above are read (the <c>Mcp-Method</c> header
    /// says which they are); earlier protocols name the method only in the body, so their POST bodies are all read. Default:
    /// 4 MiB.
    /// </summary>
    public long MaxToolCallBodySize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// When <see langword="true"/> (the default), every endpoint mapped by <c>MapMcp</c> requires a valid Descope token.
    /// Set it to <see langword="false"/> to place protection yourself with <c>RequireDescopeAuthorization()</c>.
    /// </summary>
    public bool ProtectMcpEndpoints { get; set; } = true;

    /// <summary>
    /// The shortest time between two refreshes of the signing keys triggered by an unknown key ID. Default: 5 minutes.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the discovery document and signing keys are refreshed in any case. Default: 12 hours.</summary>
    public TimeSpan AutomaticKeyRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The timeout of one request to the discovery or key-set endpoint. Default: 10 seconds.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The <c>Retry-After</c> sent with a 503 response when the signing keys cannot be loaded. Default: 10 seconds.
    /// </summary>
    public TimeSpan AuthorityUnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a token that passed validation is remembered, so that a client's next requests with the same token skip
    /// the signature check and claim parsing. Never beyond the token's own expiry; forgotten at once when the signing keys
    /// are reloaded with a different key set. Default: 5 minutes; <see cref="TimeSpan.Zero"/> validates every request in
    /// full.
    /// </summary>
    public TimeSpan ValidatedTokenCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most validated tokens remembered at once. Default: 10,000.</summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;

    /// <summary>
    /// The most memory, in bytes, the remembered validated tokens may take. Each token weighs an estimate of what it keeps
    /// alive (the token, its parsed form and its claims), but never less than this limit divided by
    /// <see cref="ValidatedTokenCacheSize"/>, so both bounds hold. Default: 64 MiB.
    /// </summary>
    public long ValidatedTokenCacheMemoryLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How machine callers (<c>client_credentials</c> tokens) are told apart from users, bound from
    /// <c>Descope:MachineCallers</c>.
    /// </summary>
    public MachineCallerOptions MachineCallers { get; } = new();

    /// <summary>
    /// Settings for connection tokens (<see cref="IConnectionTokenService"/>), bound from <c>Descope:Connections</c>.
    /// </summary>
    public ConnectionTokenOptions Connections { get; } = new();

    /// <summary>Settings for DPoP-bound access tokens (RFC 9449), bound from <c>Descope:DPoP</c>.</summary>
    public DPoPOptions DPoP { get; } = new();

    /// <summary>
    /// Settings for token exchange (<see cref="IDescopeTokenExchange"/>), bound from <c>Descope:TokenExchange</c>.
    /// </summary>
    public TokenExchangeOptions TokenExchange { get; } = new();

    /// <summary>
    /// Settings for relation checks with Descope FGA (<see cref="RequireRelationAttribute"/>, <see cref="IDescopeRelations"/>),
    /// bound from <c>Descope:Fga</c>.
    /// </summary>
    public FgaOptions Fga { get; } = new();
}
