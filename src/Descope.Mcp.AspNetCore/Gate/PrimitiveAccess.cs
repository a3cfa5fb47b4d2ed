using System.Security.Claims;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Arguments;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Claims;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>What a caller needs to use one tool, prompt or resource, and the one place that decides whether it may.</summary>
internal sealed class PrimitiveAccess
{
    /// <summary>The <c>_meta</c> member that carries a tool's <c>securitySchemes</c>.</summary>
    internal const string SecuritySchemesMember = "securitySchemes";

    private readonly McpPrimitiveRules _rules;
    private readonly BearerChallenge? _challenge;
    private readonly string[] _challengeScopes;
    private readonly string _challengeHeader;
    private readonly ToolArgumentSchema? _argumentSchema;
    private readonly JsonArray _securitySchemes;

    public PrimitiveAccess(
        McpPrimitiveKind kind,
        McpPrimitiveRules rules,
        IEnumerable<string> serverScopes,
        BearerChallenge? challenge,
        ToolArgumentSchema? argumentSchema = null,
        AnonymousAccess anonymousAccess = AnonymousAccess.None)
    {
        Kind = kind;
        _rules = rules;
        _challenge = challenge;
        _argumentSchema = argumentSchema;
        string[] server = [.. serverScopes];
        _challengeScopes = rules.IsOpen ? [] : [.. server.Union(rules.Scopes, StringComparer.Ordinal)];
        _challengeHeader = rules.IsOpen || challenge is null ? string.Empty : challenge.InsufficientScope(_challengeScopes);
        IsPublic = rules.AllowsAnonymous && anonymousAccess == AnonymousAccess.PublicPrimitives;
        string[] signedInScopes = rules.IsOpen ? server : _challengeScopes;
        _securitySchemes = SecuritySchemes(IsPublic, signedInScopes);
        SignInRequired = new PrimitiveAccessDecision(PrimitiveAccessOutcome.SignInRequired, kind, signedInScopes, [], string.Empty, ruleFailure: null);
    }

    public McpPrimitiveKind Kind { get; }

    /// <summary>Whether a caller without credentials may use the primitive: it allows anonymous callers, and so does the server.</summary>
    public bool IsPublic { get; }

    /// <summary>
    /// The refusal of a caller without credentials when the primitive is not public: it is to sign in with the scopes a
    /// signed-in caller needs for it in any case (the server's and its own), which its challenge names.
    /// </summary>
    public PrimitiveAccessDecision SignInRequired { get; }

    /// <summary>
    /// The access of a primitive; a tool or prompt with argument rules also gets its input schema or argument list
    /// compiled, the others need none.
    /// </summary>
    public static PrimitiveAccess Of(
        McpPrimitiveKind kind, IMcpServerPrimitive primitive, IEnumerable<string> serverScopes, BearerChallenge? challenge, AnonymousAccess anonymousAccess)
    {
        var rules = McpPrimitiveRules.Read(primitive);
        var schema = rules.ArgumentRules.Length == 0 ? null : primitive switch
        {
            McpServerTool tool => ToolArgumentSchema.For(tool),
            McpServerPrompt prompt => ToolArgumentSchema.For(prompt),
            _ => null,
        };
        return new PrimitiveAccess(kind, rules, serverScopes, challenge, schema, anonymousAccess);
    }

    /// <summary>Whether deciding needs the call's arguments.</summary>
    public bool HasArgumentRules => _rules.ArgumentRules.Length > 0;

    /// <summary>
    /// Puts the tool's <c>securitySchemes</c> into the <c>_meta</c> of its protocol tool, which <c>tools/list</c> shows on
    /// every protocol (the copies the SDK makes for older protocols share it), unless the tool already declares them. The
    /// schemes say what the gate enforces: <c>noauth</c> for a public tool, and <c>oauth2</c> with every scope the tool needs
    /// (the server's required scopes and its own), with which a signed-in caller may always use it. The <c>_meta</c> is
    /// replaced, never changed in place, so a list being written at the same time sees the old one or the new one.
    /// </summary>
    public void DescribeTool(McpServerTool tool)
    {
        var protocolTool = tool.ProtocolTool;
        if (protocolTool.Meta is { } existing && existing.ContainsKey(SecuritySchemesMember))
        {
            return;
        }

        var meta = protocolTool.Meta?.DeepClone().AsObject() ?? [];
        meta[SecuritySchemesMember] = _securitySchemes.DeepClone();
        protocolTool.Meta = meta;
    }

    private static JsonArray SecuritySchemes(bool isPublic, IEnumerable<string> scopes)
    {
        var oauth2 = new JsonObject { ["type"] = "oauth2", ["scopes"] = new JsonArray([.. scopes.Select(scope => (JsonNode)scope)]) };
        return isPublic ? [new JsonObject { ["type"] = "noauth" }, oauth2] : [oauth2];
    }

    /// <summary>
    /// Decides: a tool's (or prompt's) arguments are held to its input schema (argument list) before any argument rule
    /// judges them, so a rule sees what the tool receives; then the primitive's scopes and those its argument rules add (all named in one challenge), so
    /// the client can step up before anything else; then roles and permissions. A rule that fails forbids.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <param name="arguments">
    /// The call's arguments, asked for only when a rule needs them; <see langword="null"/> where the use has none (a
    /// completion), which is then judged by the static requirements alone, as a listing is.
    /// </param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async ValueTask<PrimitiveAccessDecision> DecideAsync(ClaimsPrincipal user, Func<ArgumentScopeContext>? arguments, CancellationToken cancellationToken)
    {
        if (_rules.IsOpen)
        {
            return PrimitiveAccessDecision.AllowedFor(Kind);
        }

        var required = _challengeScopes;
        var challengeHeader = _challengeHeader;
        if (HasArgumentRules && arguments is not null)
        {
            List<string> argumentScopes;
            try
            {
                var call = arguments();
                if (_argumentSchema is not null)
                {
                    if (!_argumentSchema.TryConform(call.Arguments, out var conforming, out var invalid))
                    {
                        return PrimitiveAccessDecision.InvalidArgumentsFor(Kind, invalid);
                    }

                    call = call.WithArguments(conforming);
                }

                argumentScopes = await ArgumentScopesRequirement.RequiredScopesAsync(_rules.ArgumentRules, call, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new PrimitiveAccessDecision(PrimitiveAccessOutcome.Forbidden, Kind, required, [], string.Empty, ex);
            }

            if (argumentScopes.Except(required, StringComparer.Ordinal).Any())
            {
                required = [.. required.Union(argumentScopes, StringComparer.Ordinal)];
                challengeHeader = _challenge!.InsufficientScope(required);
            }
        }

        var missing = DescopeClaims.MissingScopes(user, required);
        if (missing.Length > 0)
        {
            return new PrimitiveAccessDecision(PrimitiveAccessOutcome.MissingScopes, Kind, required, missing, challengeHeader, ruleFailure: null);
        }

        foreach (var requirement in _rules.ClaimRequirements)
        {
            if (!requirement.IsSatisfiedBy(user))
            {
                return new PrimitiveAccessDecision(PrimitiveAccessOutcome.Forbidden, Kind, required, [], string.Empty, ruleFailure: null);
            }
        }

        return PrimitiveAccessDecision.AllowedFor(Kind);
    }
}
