using System.Text.Json;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>Tools that require relations with the resources their arguments name, and record what ran with what.</summary>
[McpServerToolType]
public sealed class RelationTools
{
    [McpServerTool(Name = "read_calendar"), RequireRelation("viewer", "calendar", Argument = "calendar_id")]
    public static string ReadCalendar(ToolInvocations calls, string calendar_id = "primary")
    {
        calls.Record("read_calendar");
        calls.Record("read_calendar:" + calendar_id);
        return "events of " + calendar_id;
    }

    [McpServerTool(Name = "delete_calendar"), RequireScopes("calendar.admin"), RequireRelation("owner", "calendar", Argument = "calendar_id")]
    public static string DeleteCalendar(ToolInvocations calls, string calendar_id)
    {
        calls.Record("delete_calendar");
        return "deleted " + calendar_id;
    }

    [McpServerTool(Name = "move_event")]
    [RequireRelation("editor", "calendar", Argument = "from"), RequireRelation("editor", "calendar", Argument = "to"), RequireRelation("viewer", "event", Argument = "event_id")]
    public static string MoveEvent(ToolInvocations calls, string from, string to, string event_id)
    {
        calls.Record("move_event");
        return $"moved {event_id} from {from} to {to}";
    }

    [McpServerTool(Name = "read_account"), RequireRelation("viewer", "account", Argument = "account_id")]
    public static string ReadAccount(ToolInvocations calls, int account_id)
    {
        calls.Record("read_account");
        calls.Record("read_account:" + account_id);
        return "account " + account_id;
    }

    [McpServerTool(Name = "read_maybe"), RequireRelation("viewer", "calendar", Argument = "calendar_id")]
    public static string ReadMaybe(ToolInvocations calls, string? calendar_id = null)
    {
        calls.Record("read_maybe");
        return "events of " + calendar_id;
    }

    [McpServerTool(Name = "can_edit")]
    public static async Task<string> CanEdit(IDescopeRelations relations, string calendar_id, string? ip = null, CancellationToken cancellationToken = default)
    {
        var context = ip is null ? null : new Dictionary<string, JsonElement> { ["ip"] = JsonSerializer.SerializeToElement(ip) };
        var result = await relations.CheckAsync("editor", "calendar", calendar_id, context, cancellationToken);
        return $"{result.Tuple.TargetType}:{result.Tuple.Target} editor of {result.Tuple.Resource}: {result.Allowed} (direct: {result.Direct})";
    }
}

/// <summary>Prompts that require relations with the resource an argument names.</summary>
[McpServerPromptType]
public sealed class RelationPrompts
{
    [McpServerPrompt(Name = "calendar_summary"), RequireRelation("viewer", "calendar", Argument = "calendar_id")]
    public static string CalendarSummary(ToolInvocations calls, string calendar_id)
    {
        calls.Record("calendar_summary");
        return "Summarize " + calendar_id;
    }

    [McpServerPrompt(Name = "account_summary"), RequireRelation("viewer", "account", Argument = "account_id")]
    public static string AccountSummary(ToolInvocations calls, int account_id)
    {
        calls.Record("account_summary");
        return "Summarize account " + account_id;
    }
}

/// <summary>A resource template that requires a relation with the resource its URI names.</summary>
[McpServerResourceType]
public sealed class RelationResources
{
    [McpServerResource(UriTemplate = "calendar://{calendar_id}/events", Name = "calendar_events"), RequireRelation("viewer", "calendar", Argument = "calendar_id")]
    public static string CalendarEvents(ToolInvocations calls, string calendar_id)
    {
        calls.Record("calendar_events");
        calls.Record("calendar_events:" + calendar_id);
        return "events of " + calendar_id;
    }
}

/// <summary>A relation whose argument the tool does not have (the case differs).</summary>
[McpServerToolType]
public sealed class MisnamedRelationTools
{
    [McpServerTool(Name = "misnamed"), RequireRelation("viewer", "calendar", Argument = "calendarId")]
    public static string Misnamed(string calendar_id) => calendar_id;
}

/// <summary>A relation on a value the tool reads from several spellings.</summary>
[McpServerToolType]
public sealed class GuidRelationTools
{
    [McpServerTool(Name = "by_guid"), RequireRelation("viewer", "document", Argument = "document_id")]
    public static string ByGuid(Guid document_id) => document_id.ToString();
}
