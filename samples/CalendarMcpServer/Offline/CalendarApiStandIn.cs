using System.Globalization;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CalendarMcpServer.Offline;

/// <summary>
/// A local stand-in for the Google Calendar events API that accepts only access tokens the test authority's connection
/// vault issued, and insists on the query the real API needs for upcoming events. It knows the calendars of
/// <see cref="OfflineEnvironment.Calendars"/>; who may read which is Descope FGA's to decide, before the tool runs.
/// </summary>
internal sealed class CalendarApiStandIn : IAsyncDisposable
{
    private static readonly (string Summary, TimeSpan From)[] Agenda =
    [
        ("Team stand-up", TimeSpan.FromHours(1)),
        ("Design review: MCP authorization", TimeSpan.FromHours(4)),
        ("1:1 with Alex", TimeSpan.FromDays(1)),
        ("Customer call: Acme", TimeSpan.FromDays(1) + TimeSpan.FromHours(3)),
        ("Quarterly planning", TimeSpan.FromDays(2)),
        ("Security office hours", TimeSpan.FromDays(3)),
    ];

    private readonly WebApplication _app;

    private CalendarApiStandIn(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The API base URL, ending in <c>/calendar/v3/</c>.</summary>
    public Uri BaseUrl { get; }

    public static async Task<CalendarApiStandIn> StartAsync(DescopeTestAuthority authority)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var start = DateTimeOffset.UtcNow;

        app.MapGet("/calendar/v3/calendars/{calendarId}/events", (HttpContext context, string calendarId) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal)
                || authority.Connections.FindByAccessToken(header["Bearer ".Length..]) is not { AppId: CalendarTools.CalendarApp } connection)
            {
                return Results.Json(new { error = new { code = 401, message = "Request had invalid authentication credentials." } }, statusCode: 401);
            }

            if (!OfflineEnvironment.Calendars.Contains(calendarId, StringComparer.Ordinal))
            {
                return Results.Json(new { error = new { code = 404, message = "Not Found" } }, statusCode: 404);
            }

            var query = context.Request.Query;
            if (query["singleEvents"] != "true" || query["orderBy"] != "startTime"
                || !DateTimeOffset.TryParse(query["timeMin"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var timeMin)
                || !int.TryParse(query["maxResults"], CultureInfo.InvariantCulture, out var maxResults) || maxResults < 1)
            {
                return Results.Json(new { error = new { code = 400, message = "timeMin, maxResults, singleEvents=true and orderBy=startTime are required." } }, statusCode: 400);
            }

            var items = Agenda
                .Select((e, i) => new { id = $"evt{i}", summary = e.Summary, start = start + e.From })
                .Where(e => e.start >= timeMin)
                .Take(maxResults)
                .Select(e => new
                {
                    e.id,
                    e.summary,
                    organizer = new { email = connection.UserId + "@example.com" },
                    start = new { dateTime = e.start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
                    end = new { dateTime = e.start.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
                });
            return Results.Json(new { kind = "calendar#events", summary = calendarId, items });
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CalendarApiStandIn(app, new Uri(address.TrimEnd('/') + "/calendar/v3/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
