using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>Tools marked [AllowAnonymous] beside a scoped one with structured output, recording their runs.</summary>
[McpServerToolType]
public sealed class PublicTools
{
    [McpServerTool(Name = "search_docs"), AllowAnonymous, Description("Searches the public documentation.")]
    public static string SearchDocs(ToolInvocations calls, string query = "")
    {
        calls.Record("search_docs");
        return "results for " + query;
    }

    /// <summary>Its output is not an object: 2025-11-25 clients get a copy of the tool with the schema wrapped.</summary>
    [McpServerTool(Name = "count_events", UseStructuredContent = true), RequireScopes("calendar.read")]
    public static int CountEvents(ToolInvocations calls)
    {
        calls.Record("count_events");
        return 3;
    }
}

[McpServerPromptType]
public sealed class PublicPrompts
{
    [McpServerPrompt(Name = "welcome"), AllowAnonymous]
    public static string Welcome(ToolInvocations calls, [AllowedValues("en", "fr")] string language = "en")
    {
        calls.Record("welcome");
        return "Welcome, in " + language;
    }
}

[McpServerResourceType]
public sealed class PublicResources
{
    [McpServerResource(UriTemplate = "calendar://holidays", Name = "holidays"), AllowAnonymous]
    public static string Holidays(ToolInvocations calls)
    {
        calls.Record("holidays");
        return "New Year's Day";
    }

    [McpServerResource(UriTemplate = "calendar://public/{day}", Name = "public_day"), AllowAnonymous]
    public static string PublicDay(ToolInvocations calls, string day)
    {
        calls.Record("public_day");
        return "Nothing public on " + day;
    }
}

internal static class PublicPrimitives
{
    /// <summary>
    /// Public tools, prompts and resources beside scoped, role-bound and attribute-less ones (<see cref="CalendarTools"/>,
    /// <see cref="RecordingPrompts"/>, <see cref="RecordingResources"/>), with completion and subscription handlers that
    /// record their runs.
    /// </summary>
    public static IMcpServerBuilder WithPublicAndProtectedPrimitives(this IMcpServerBuilder builder, ToolInvocations calls) =>
        builder.WithTools<CalendarTools>()
            .WithTools<PublicTools>()
            .WithPrompts<RecordingPrompts>()
            .WithPrompts<PublicPrompts>()
            .WithResources<RecordingResources>()
            .WithResources<PublicResources>()
            .WithCompleteHandler((_, _) =>
            {
                calls.Record("complete");
                return ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = [CompletablePrimitives.HandlerValue] } });
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
