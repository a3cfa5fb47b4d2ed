using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Prompts and a resource template whose arguments have allowed values the SDK offers as completions, plus app handlers
/// for completion and resource subscriptions that record their runs.
/// </summary>
[McpServerPromptType]
public sealed class CompletablePrompts
{
    /// <summary>The allowed values a completion must never show a caller without the prompt's scope.</summary>
    public const string SecretTeam = "mergers-and-acquisitions";

    [McpServerPrompt(Name = "team_review"), RequireScopes("calendar.read")]
    public static string TeamReview(ToolInvocations calls, [AllowedValues("engineering", SecretTeam)] string team)
    {
        calls.Record("team_review");
        return "Review the week of " + team;
    }

    [McpServerPrompt(Name = "tenant_digest"), RequireRoles("Tenant Admin")]
    public static string TenantDigest(ToolInvocations calls, [AllowedValues("weekly", "monthly")] string period)
    {
        calls.Record("tenant_digest");
        return "Digest, " + period;
    }
}

[McpServerResourceType]
public sealed class CompletableResources
{
    [McpServerResource(UriTemplate = "calendar://teams/{team}", Name = "team_calendar"), RequireScopes("calendar.read", "calendar.details")]
    public static string TeamCalendar(ToolInvocations calls, [AllowedValues("engineering", CompletablePrompts.SecretTeam)] string team)
    {
        calls.Record("team_calendar");
        return "Calendar of " + team;
    }

    [McpServerResource(UriTemplate = "calendar://agenda", Name = "agenda"), RequireScopes("calendar.read")]
    public static string Agenda(ToolInvocations calls)
    {
        calls.Record("agenda");
        return "Standup at nine";
    }
}

internal static class CompletablePrimitives
{
    /// <summary>What the app's own completion handler offers, so a test can tell it ran.</summary>
    public const string HandlerValue = "from-the-app-handler";

    /// <summary>The prompts and resources above with completion, subscribe and unsubscribe handlers recording into <paramref name="calls"/>.</summary>
    public static IMcpServerBuilder WithCompletablePrimitives(this IMcpServerBuilder builder, ToolInvocations calls) =>
        builder.WithPrompts<CompletablePrompts>()
            .WithResources<CompletableResources>()
            .WithCompleteHandler((_, _) =>
            {
                calls.Record("complete");
                return ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = [HandlerValue] } });
            })
            .WithSubscribeToResourcesHandler((_, _) =>
            {
                calls.Record("subscribe");
                return ValueTask.FromResult(new EmptyResult());
            })
            .WithUnsubscribeFromResourcesHandler((_, _) =>
            {
                calls.Record("unsubscribe");
                return ValueTask.FromResult(new EmptyResult());
            });
}
