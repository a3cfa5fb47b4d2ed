using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace CalendarMcpServer;

/// <summary>
/// Reads events from the Google Calendar API with a token obtained from Descope for the caller.
/// </summary>
public sealed class GoogleCalendarClient(HttpClient http, IOptions<GoogleCalendarOptions> options, TimeProvider time)
{
    private readonly Uri _baseUrl = options.Value.ApiBaseUrl;

    /// <summary>A calendar's upcoming events, soonest first, recurring events expanded.</summary>
    /// <param name="accessToken">The Google access token for the user.</param>
    /// <param name="calendarId">The calendar, <c>primary</c> for the user's own.</param>
    /// <param name="maxResults">How many events to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The events.</returns>
    public async Task<IReadOnlyList<CalendarEvent>> GetUpcomingEventsAsync(string accessToken, string calendarId, int maxResults, CancellationToken cancellationToken)
    {
        var timeMin = Uri.EscapeDataString(time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        using var request = new HttpRequestMessage(
            HttpMethod.Get,
            new Uri(_baseUrl, $"calendars/{Uri.EscapeDataString(calendarId)}/events?timeMin={timeMin}&maxResults={maxResults}&singleEvents=true&orderBy=startTime"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ModelContextProtocol.McpException($"Google Calendar answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var events = new List<CalendarEvent>();
        if (document.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                var summary = item.TryGetProperty("summary", out var s) ? s.GetString() ?? "(no title)" : "(no title)";
                var start = item.TryGetProperty("start", out var st) ? Start(st) : null;
                events.Add(new CalendarEvent(summary, start));
            }
        }

        return events;
    }

    // Timed events carry dateTime, all-day events carry date.
    private static DateTimeOffset? Start(JsonElement start) =>
        start.TryGetProperty("dateTime", out var dateTime) && DateTimeOffset.TryParse(dateTime.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at
        : start.TryGetProperty("date", out var date) && DateTimeOffset.TryParse(date.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day) ? day
        : null;
}

/// <summary>One calendar event.</summary>
/// <param name="Summary">The title.</param>
/// <param name="Start">When it starts.</param>
public sealed record CalendarEvent(string Summary, DateTimeOffset? Start);

/// <summary>Where the Google Calendar API is, bound from the <c>Calendar</c> configuration section.</summary>
public sealed class GoogleCalendarOptions
{
    /// <summary>The API base URL. Default: <c>https://www.googleapis.com/calendar/v3/</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://www.googleapis.com/calendar/v3/");
}
