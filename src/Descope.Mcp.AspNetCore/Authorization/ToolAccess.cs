using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>What a caller needs to call one tool.</summary>
internal sealed class ToolAccess(McpPrimitiveRules rules, string[] challengeScopes, string challengeHeader)
{
    public static readonly ToolAccess Open = new(McpPrimitiveRules.Open, [], string.Empty);

    /// <summary>Every scope the call needs: the server's required scopes and the tool's own.</summary>
    public string[] ChallengeScopes { get; } = challengeScopes;

    /// <summary>The <c>WWW-Authenticate</c> value of the 403 step-up challenge.</summary>
    public string ChallengeHeader { get; } = challengeHeader;

    public ToolAccessDecision Decide(ClaimsPrincipal user)
    {
        if (!DescopeClaims.HasAllScopes(user, rules.Scopes))
        {
            return ToolAccessDecision.MissingScopes;
        }

        foreach (var requirement in rules.ClaimRequirements)
        {
            if (!requirement.IsSatisfiedBy(user))
            {
                return ToolAccessDecision.Forbidden;
            }
        }

        return ToolAccessDecision.Allowed;
    }
}
