using System.ComponentModel;
using System.Security.Claims;
using Descope.Mcp.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace CalendarMcpServer;

/// <summary>The calendar sample's tools.</summary>
[McpServerToolType]
public sealed class CalendarTools(IConnectionTokenService connections, GoogleCalendarClient calendar)
{
    /// <summary>The Descope connection (outbound app) that holds the user's Google Calendar authorization.</summary>
    public const string CalendarApp = "google-calendar";

    /// <summary>The Google scope the events call needs.</summary>
    public const string CalendarReadScope = "https://www.googleapis.com/auth/calendar.readonly";

    /// <summary>
    /// Lists upcoming events of a calendar the caller may view, reading Google Calendar with a token Descope holds for them.
    /// Descope FGA decides who may view which calendar: the caller needs <c>viewer</c> on the calendar.
    /// </summary>
    /// <param name="calendar_id">The calendar, <c>primary</c> for the caller's own.</param>
    /// <param name="max_results">How many events to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One line per event.</returns>
    [McpServerTool(Name = "get_calendar_events"), RequireScopes("calendar.read"), RequireRelation("viewer", "calendar", Argument = "calendar_id")]
    [Description("Lists upcoming Google Calendar events of a calendar the signed-in user may view.")]
    public async Task<string> GetCalendarEvents(
        [Description("The calendar: primary for the user's own, or a shared calendar's ID.")] string calendar_id = "primary",
        [Description("How many events to return (1 to 50).")] int max_results = 5,
        CancellationToken cancellationToken = default)
    {
        var google = await connections.GetUserTokenAsync(CalendarApp, [CalendarReadScope], cancellationToken: cancellationToken);
        var events = await calendar.GetUpcomingEventsAsync(google.AccessToken, calendar_id, Math.Clamp(max_results, 1, 50), cancellationToken);
        return events.Count == 0
            ? "No upcoming events."
            : string.Join('\n', events.Select(e => $"{e.Start:yyyy-MM-dd HH:mm} {e.Summary}"));
    }

    /// <summary>
    /// Describes this server and what signing in unlocks. Public: it reads no user data, so with
    /// <c>Descope:AnonymousAccess=PublicPrimitives</c> a client may call it before signing in (by default every request
    /// still needs a token).
    /// </summary>
    /// <returns>A fixed description of the server's tools.</returns>
    [McpServerTool(Name = "about_calendar_server", ReadOnly = true, Idempotent = true), AllowAnonymous]
    [Description("Describes this calendar server and what signing in unlocks. Needs no sign-in and reads no user data.")]
    public static string AboutCalendarServer() =>
        "Calendar MCP server: sign in with Descope to use whoami and get_my_team; get_calendar_events also needs calendar.read "
        + "and a connected Google Calendar.";

    /// <summary>Tells who is calling, as the validated Descope token says.</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The user ID and granted scopes.</returns>
    [McpServerTool(Name = "whoami"), Description("Returns the signed-in Descope user and the scopes granted to this MCP client.")]
    public static string WhoAmI(ClaimsPrincipal user) =>
        $"user: {user.GetUserId()}; scopes: {(user.GetScopes() is { Count: > 0 } scopes ? string.Join(' ', scopes) : "(none)")}";
}
