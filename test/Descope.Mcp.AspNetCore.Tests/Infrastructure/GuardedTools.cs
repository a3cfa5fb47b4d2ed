using System.Text.Json;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

public enum AccessLevel
{
    Read,
    Write,
    Admin,
}

[Flags]
public enum AccessRights
{
    None = 0,
    Read = 1,
    Write = 2,
    Admin = 4,
}

public sealed record ShareRequest(string Calendar, string Note = "");

/// <summary>
/// Tools whose argument rules demand an extra scope for a dangerous value: a large amount, the admin level, the admin
/// flag, a shared calendar, and a limit whose default is large. Each tool records the value it received and each rule
/// records that it ran, so a test sees what judged what.
/// </summary>
[McpServerToolType, RequireScopes("payments.write")]
public sealed class GuardedTools
{
    [McpServerTool(Name = "pay"), RequireArgumentScopes(typeof(LargeAmountRule))]
    public static string Pay(ToolInvocations calls, int amount)
    {
        calls.Record("pay");
        calls.Record("pay:" + amount);
        return "paid " + amount;
    }

    [McpServerTool(Name = "set_access"), RequireArgumentScopes(typeof(AdminLevelRule))]
    public static string SetAccess(ToolInvocations calls, AccessLevel level)
    {
        calls.Record("set_access");
        calls.Record("set_access:" + level);
        return "access " + level;
    }

    [McpServerTool(Name = "grant"), RequireArgumentScopes(typeof(AdminFlagRule))]
    public static string Grant(ToolInvocations calls, AccessRights flags)
    {
        calls.Record("grant");
        calls.Record("grant:" + flags);
        return "granted " + flags;
    }

    [McpServerTool(Name = "share"), RequireArgumentScopes(typeof(SharedCalendarRequestRule))]
    public static string Share(ToolInvocations calls, ShareRequest request)
    {
        calls.Record("share");
        calls.Record("share:" + request.Calendar);
        return "shared " + request.Calendar;
    }

    [McpServerTool(Name = "transfer"), RequireArgumentScopes(typeof(LargeLimitRule))]
    public static string Transfer(ToolInvocations calls, int limit = 5000)
    {
        calls.Record("transfer");
        calls.Record("transfer:" + limit);
        return "transfer up to " + limit;
    }
}

/// <summary>An amount over 1000 needs <c>payments.large</c>.</summary>
public sealed class LargeAmountRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + context.ToolName);
        IEnumerable<string> scopes = context.Arguments.TryGetProperty("amount", out var amount)
            && amount.ValueKind == JsonValueKind.Number && amount.TryGetInt64(out var value) && value > 1000
            ? ["payments.large"]
            : [];
        return ValueTask.FromResult(scopes);
    }
}

/// <summary>The limit over 1000 needs <c>payments.large</c>; an omitted limit needs nothing, as far as this rule reads.</summary>
public sealed class LargeLimitRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + context.ToolName);
        IEnumerable<string> scopes = context.Arguments.TryGetProperty("limit", out var limit)
            && limit.ValueKind == JsonValueKind.Number && limit.GetInt64() > 1000
            ? ["payments.large"]
            : [];
        return ValueTask.FromResult(scopes);
    }
}

/// <summary>The <c>Admin</c> level needs <c>access.admin</c>, compared as the schema spells it.</summary>
public sealed class AdminLevelRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + context.ToolName);
        IEnumerable<string> scopes = context.Arguments.TryGetProperty("level", out var level)
            && level.ValueKind == JsonValueKind.String && level.GetString() == "Admin"
            ? ["access.admin"]
            : [];
        return ValueTask.FromResult(scopes);
    }
}

/// <summary>
/// The <c>Admin</c> flag needs <c>access.admin</c>. The schema of a flags enum is only "a string", so the rule reads the
/// value as the tool will.
/// </summary>
public sealed class AdminFlagRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + context.ToolName);
        IEnumerable<string> scopes = context.GetArgument<AccessRights>("flags").HasFlag(AccessRights.Admin) ? ["access.admin"] : [];
        return ValueTask.FromResult(scopes);
    }
}

/// <summary>A calendar named <c>shared-...</c> needs <c>calendar.admin</c>.</summary>
public sealed class SharedCalendarRequestRule(ToolInvocations calls) : IArgumentScopeRule
{
    public ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        calls.Record("rule:" + context.ToolName);
        IEnumerable<string> scopes = context.Arguments.TryGetProperty("request", out var request)
            && request.ValueKind == JsonValueKind.Object
            && request.TryGetProperty("calendar", out var calendar)
            && calendar.ValueKind == JsonValueKind.String
            && calendar.GetString()!.StartsWith("shared-", StringComparison.Ordinal)
            ? ["calendar.admin"]
            : [];
        return ValueTask.FromResult(scopes);
    }
}
