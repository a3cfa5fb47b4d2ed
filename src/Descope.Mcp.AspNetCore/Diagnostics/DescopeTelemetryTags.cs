namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// The names of the library's activities, instruments and tags, written once. Tag values are bounded: outcomes, kinds
/// and configured app IDs, never user IDs or any part of a token.
/// </summary>
internal static class DescopeTelemetryTags
{
    public const string SigningKeysLoadActivity = "descope.signing_keys.load";
    public const string TokenValidationActivity = "descope.token.validate";
    public const string AuthorizationActivity = "descope.authorize";
    public const string ConnectionTokenActivity = "descope.connection_token.get";
    public const string FgaCheckActivity = "descope.fga.check";

    public const string TokenValidations = "descope.mcp.token.validations";
    public const string AuthorizationDecisions = "descope.mcp.authorization.decisions";
    public const string ConnectionTokenRequests = "descope.mcp.connection_token.requests";
    public const string ConnectionTokenDuration = "descope.mcp.connection_token.duration";
    public const string SigningKeysLoads = "descope.mcp.signing_keys.loads";
    public const string DPoPProofs = "descope.mcp.dpop.proofs";
    public const string FgaChecks = "descope.mcp.fga.checks";

    /// <summary>How an operation ended: <c>valid</c>, <c>remembered</c>, a failure reason, <c>issued</c>, <c>success</c>...</summary>
    public const string Outcome = "descope.outcome";

    /// <summary>What started a signing key load: <c>scheduled</c> or <c>unknown_key</c>.</summary>
    public const string Trigger = "descope.signing_keys.trigger";

    /// <summary>
    /// The MCP method that used the primitive (<c>tools/call</c>, <c>completion/complete</c>...), named as in OpenTelemetry's
    /// MCP conventions; bounded by the methods the gate judges.
    /// </summary>
    public const string Method = "mcp.method.name";

    /// <summary>The kind of MCP primitive: <c>tool</c>, <c>prompt</c> or <c>resource</c>.</summary>
    public const string PrimitiveKind = "descope.mcp.primitive.kind";

    /// <summary>The primitive's name (activities only: names come from the request).</summary>
    public const string PrimitiveName = "descope.mcp.primitive.name";

    /// <summary>The authorization decision: <c>allowed</c>, <c>step_up</c> or <c>forbidden</c>.</summary>
    public const string Decision = "descope.authorization.decision";

    /// <summary>The scopes a step-up asks for (activities only).</summary>
    public const string MissingScopes = "descope.authorization.missing_scopes";

    /// <summary>The connection's app ID, bounded by configuration.</summary>
    public const string AppId = "descope.connection.app_id";

    /// <summary>Whose connection: <c>user</c> or <c>tenant</c>.</summary>
    public const string Owner = "descope.connection.owner";

    /// <summary>Where a connection token came from: <c>hit</c>, <c>miss</c> or <c>bypass</c> (not cached by design).</summary>
    public const string Cache = "descope.connection.cache";

    /// <summary>How many HTTP attempts a call to Descope took.</summary>
    public const string Attempts = "descope.connection.attempts";

    /// <summary>
    /// Set on the request's own activity when a remembered token is accepted: such a token costs no validation work, so it
    /// gets no activity of its own.
    /// </summary>
    public const string TokenOutcome = "descope.token.outcome";

    /// <summary>The outcome of the request's DPoP proof check: <c>valid</c> or the reason it was refused.</summary>
    public const string DPoPOutcome = "descope.dpop.outcome";

    /// <summary>Where a relation answer came from: <c>hit</c> or <c>miss</c> (asked of Descope).</summary>
    public const string FgaCache = "descope.fga.cache";

    /// <summary>How many tuples one request to Descope FGA checks.</summary>
    public const string FgaTuples = "descope.fga.tuples";

    /// <summary>How many HTTP attempts a request to Descope FGA took.</summary>
    public const string FgaAttempts = "descope.fga.attempts";
}
