using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Prompts whose argument rules demand an extra scope for a dangerous value: a shared calendar (<see cref="SharedCalendarRule"/>:
/// <c>team</c> needs <c>calendar.admin</c>, <c>company</c> also <c>calendar.audit</c>), the same with a shared calendar as
/// the default, and the admin level. Each prompt records the value it received, so a test sees what ran with what.
/// </summary>
[McpServerPromptType, RequireScopes("calendar.read")]
public sealed class GuardedPrompts
{
    [McpServerPrompt(Name = "calendar_digest"), RequireArgumentScopes(typeof(SharedCalendarRule))]
    public static string CalendarDigest(ToolInvocations calls, [AllowedValues("personal", "team", "company")] string calendar_id, string period = "week")
    {
        calls.Record("calendar_digest");
        calls.Record("calendar_digest:" + calendar_id);
        return "Digest of " + calendar_id + " for the " + period;
    }

    [McpServerPrompt(Name = "team_digest"), RequireArgumentScopes(typeof(SharedCalendarRule))]
    public static string TeamDigest(ToolInvocations calls, string calendar_id = "team")
    {
        calls.Record("team_digest");
        calls.Record("team_digest:" + calendar_id);
        return "Digest of " + calendar_id;
    }

    [McpServerPrompt(Name = "access_review"), RequireArgumentScopes(typeof(AdminLevelArgumentRule))]
    public static string AccessReview(ToolInvocations calls, AccessLevel level)
    {
        calls.Record("access_review");
        calls.Record("access_review:" + level);
        return "Review access at " + level;
    }
}

/// <summary>
/// The <c>Admin</c> level needs <c>access.admin</c>. A prompt's argument is a string however the prompt parses it, so the
/// rule reads it as the prompt will.
/// </summary>
public sealed class AdminLevelArgumentRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + (context.ToolName ?? context.PromptName));
        IEnumerable<string> scopes = context.GetArgument<AccessLevel>("level") == AccessLevel.Admin ? ["access.admin"] : [];
        return ValueTask.FromResult(scopes);
    }
}
