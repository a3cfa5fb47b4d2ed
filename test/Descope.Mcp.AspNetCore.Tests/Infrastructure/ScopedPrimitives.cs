using System.Text.Json;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>Prompts and resources, static and templated, that record their runs.</summary>
[McpServerPromptType]
public sealed class RecordingPrompts
{
    [McpServerPrompt(Name = "weekly_review"), RequireScopes("calendar.read")]
    public static string WeeklyReview(ToolInvocations calls)
    {
        calls.Record("weekly_review");
        return "Review my week";
    }

    [McpServerPrompt(Name = "tenant_report"), RequireRoles("Tenant Admin")]
    public static string TenantReport(ToolInvocations calls)
    {
        calls.Record("tenant_report");
        return "Report on the tenant";
    }
}

[McpServerResourceType]
public sealed class RecordingResources
{
    [McpServerResource(UriTemplate = "calendar://agenda", Name = "agenda"), RequireScopes("calendar.read")]
    public static string Agenda(ToolInvocations calls)
    {
        calls.Record("agenda");
        return "Standup at nine";
    }

    [McpServerResource(UriTemplate = "calendar://events/{id}", Name = "event"), RequireScopes("calendar.read", "calendar.details")]
    public static string Event(ToolInvocations calls, string id)
    {
        calls.Record("event");
        return "Event " + id;
    }
}

/// <summary>A tool whose scopes depend on which calendar its arguments name.</summary>
[McpServerToolType]
public sealed class SharedCalendarTools
{
    [McpServerTool(Name = "delete_event"), RequireScopes("calendar.write"), RequireArgumentScopes(typeof(SharedCalendarRule))]
    public static string DeleteEvent(ToolInvocations calls, string calendar_id = "personal")
    {
        calls.Record("delete_event");
        return "deleted from " + calendar_id;
    }
}

/// <summary>
/// Shared calendars (<c>team</c> and <c>company</c>) need <c>calendar.admin</c>, <c>company</c> also <c>calendar.audit</c>;
/// the rule fails on <c>unreadable</c> and names something that is not a scope for <c>invalid</c>. It judges tools and
/// prompts alike.
/// </summary>
public sealed class SharedCalendarRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + (context.ToolName ?? context.PromptName));
        if (!context.Arguments.TryGetProperty("calendar_id", out var id))
        {
            return ValueTask.FromResult<IEnumerable<string>>([]);
        }

        IEnumerable<string> scopes = id.GetString() switch
        {
            "team" => ["calendar.admin"],
            "company" => ["calendar.admin", "calendar.audit"],
            "invalid" => ["not a scope"],
            "unreadable" => throw new InvalidOperationException("The calendar store is unavailable."),
            _ => [],
        };
        return ValueTask.FromResult(scopes);
    }
}
