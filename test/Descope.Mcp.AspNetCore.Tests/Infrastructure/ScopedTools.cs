using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

[McpServerToolType]
public sealed class CalendarTools
{
    [McpServerTool(Name = "ping"), Description("Open to every caller.")]
    public static string Ping(ToolInvocations calls)
    {
        calls.Record("ping");
        return "pong";
    }

    [McpServerTool(Name = "list_events"), RequireScopes("calendar.read")]
    public static string ListEvents(ToolInvocations calls)
    {
        calls.Record("list_events");
        return "3 events";
    }

    [McpServerTool(Name = "create_event"), RequireScopes("calendar.read", "calendar.write")]
    public static string CreateEvent(ToolInvocations calls, string title = "meeting")
    {
        calls.Record("create_event");
        return "created " + title;
    }

    [McpServerTool(Name = "export_events"), Description("Checks its scope in code.")]
    public static string ExportEvents(ToolInvocations calls, ClaimsPrincipal user)
    {
        user.RequireScopes("calendar.export");
        calls.Record("export_events");
        return "exported";
    }

    [McpServerTool(Name = "public_info"), AllowAnonymous, RequireScopes("never.granted")]
    public static string PublicInfo(ToolInvocations calls)
    {
        calls.Record("public_info");
        return "public";
    }
}

[McpServerToolType, RequireScopes("admin")]
public sealed class AdminTools
{
    [McpServerTool(Name = "purge"), RequireScopes("admin.purge")]
    public static string Purge(ToolInvocations calls)
    {
        calls.Record("purge");
        return "purged";
    }
}

[McpServerToolType]
public sealed class TenantTools
{
    [McpServerTool(Name = "approve_invoice"), RequirePermissions("invoices:approve")]
    public static string ApproveInvoice(ToolInvocations calls)
    {
        calls.Record("approve_invoice");
        return "approved";
    }

    [McpServerTool(Name = "manage_tenant"), RequireRoles("Tenant Admin")]
    public static string ManageTenant(ToolInvocations calls)
    {
        calls.Record("manage_tenant");
        return "managed";
    }

    [McpServerTool(Name = "audit"), RequireRoles("auditor"), RequireScopes("audit.read")]
    public static string Audit(ToolInvocations calls)
    {
        calls.Record("audit");
        return "audited";
    }
}

[McpServerPromptType]
public sealed class CalendarPrompts
{
    [McpServerPrompt(Name = "greeting")]
    public static string Greeting() => "Hello";

    [McpServerPrompt(Name = "calendar_summary"), RequireScopes("calendar.read")]
    public static string CalendarSummary() => "Summarize my calendar";
}

[McpServerResourceType]
public sealed class CalendarResources
{
    [McpServerResource(UriTemplate = "calendar://about", Name = "about")]
    public static string About() => "A calendar";

    [McpServerResource(UriTemplate = "calendar://today", Name = "today"), RequireScopes("calendar.read")]
    public static string Today() => "Nothing today";
}
