namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// Everything the gate decided about one use of a primitive, in one value: what it answers, and what it reports.
/// </summary>
internal sealed class PrimitiveAccessDecision
{
    /// <summary>Allowed, for a request that uses no primitive or one the server does not have.</summary>
    public static readonly PrimitiveAccessDecision Allowed = new(PrimitiveAccessOutcome.Allowed, kind: null, [], [], string.Empty, ruleFailure: null);

    private static readonly PrimitiveAccessDecision[] AllowedByKind =
        [.. Enum.GetValues<McpPrimitiveKind>().Select(kind => new PrimitiveAccessDecision(PrimitiveAccessOutcome.Allowed, kind, [], [], string.Empty, ruleFailure: null))];

    /// <summary>Sign-in required, for a request without credentials that uses no primitive (or one the server does not have).</summary>
    public static readonly PrimitiveAccessDecision SignInRequired = new(PrimitiveAccessOutcome.SignInRequired, kind: null, [], [], string.Empty, ruleFailure: null);

    private static readonly PrimitiveAccessDecision[] SignInRequiredByKind =
        [.. Enum.GetValues<McpPrimitiveKind>().Select(kind => new PrimitiveAccessDecision(PrimitiveAccessOutcome.SignInRequired, kind, [], [], string.Empty, ruleFailure: null))];

    public PrimitiveAccessDecision(
        PrimitiveAccessOutcome outcome,
        McpPrimitiveKind? kind,
        string[] requiredScopes,
        string[] missingScopes,
        string challengeHeader,
        Exception? ruleFailure,
        string? invalidArguments = null)
    {
        Outcome = outcome;
        Kind = kind;
        RequiredScopes = requiredScopes;
        MissingScopes = missingScopes;
        ChallengeHeader = challengeHeader;
        RuleFailure = ruleFailure;
        InvalidArguments = invalidArguments;
    }

    /// <summary>Refused before any argument rule ran: the arguments do not conform to the tool's input schema.</summary>
    public static PrimitiveAccessDecision InvalidArgumentsFor(McpPrimitiveKind kind, string error) =>
        new(PrimitiveAccessOutcome.InvalidArguments, kind, [], [], string.Empty, ruleFailure: null, error);

    public PrimitiveAccessOutcome Outcome { get; }

    /// <summary>Allowed to use a primitive of this kind.</summary>
    public static PrimitiveAccessDecision AllowedFor(McpPrimitiveKind kind) => AllowedByKind[(int)kind];

    /// <summary>Sign-in required to use a primitive of this kind.</summary>
    public static PrimitiveAccessDecision SignInRequiredFor(McpPrimitiveKind kind) => SignInRequiredByKind[(int)kind];

    /// <summary>The kind of primitive judged; <see langword="null"/> when nothing needed judging.</summary>
    public McpPrimitiveKind? Kind { get; }

    /// <summary>Every scope the operation needs: the server's, the primitive's and those its arguments add.</summary>
    public string[] RequiredScopes { get; }

    /// <summary>The required scopes the caller lacks (judged with the scope hierarchy).</summary>
    public string[] MissingScopes { get; }

    /// <summary>The <c>WWW-Authenticate</c> value of a step-up challenge naming <see cref="RequiredScopes"/>.</summary>
    public string ChallengeHeader { get; }

    /// <summary>Why an argument rule could not decide, when that is why the use was forbidden.</summary>
    public Exception? RuleFailure { get; }

    /// <summary>Which argument does not conform and how, naming no value sent; set for <see cref="PrimitiveAccessOutcome.InvalidArguments"/>.</summary>
    public string? InvalidArguments { get; }
}
