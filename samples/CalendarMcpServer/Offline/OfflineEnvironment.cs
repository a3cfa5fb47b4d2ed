using Descope.Mcp.AspNetCore.Testing;

namespace CalendarMcpServer.Offline;

/// <summary>
/// What the offline sample talks to instead of Descope and Google: the test authority (OAuth, keys, connection vault,
/// FGA relations), with two demo users who may view their primary calendar but not the team's, and the Calendar API
/// stand-in.
/// </summary>
internal sealed class OfflineEnvironment : IAsyncDisposable
{
    /// <summary>Has a Google Calendar connection already.</summary>
    public const string DemoUser = "U2DemoUser";

    /// <summary>Has not connected Google Calendar yet: the tool tells them how.</summary>
    public const string NewUser = "U2NewUser";

    /// <summary>The MCP server's own client at the authority, with which it exchanges tokens.</summary>
    public const string ServerClientId = "calendar-mcp-server";

    /// <summary>That client's secret (offline only).</summary>
    public const string ServerClientSecret = "offline-server-secret";

    /// <summary>A shared calendar the demo users may not view: no relation grants it.</summary>
    public const string TeamCalendar = "team-offsite";

    /// <summary>The calendars the Calendar stand-in knows.</summary>
    public static readonly string[] Calendars = ["primary", TeamCalendar];

    private OfflineEnvironment(DescopeTestAuthority authority, CalendarApiStandIn calendar, TestConnection demoConnection, TeamDirectoryApiStandIn directory)
    {
        Authority = authority;
        Calendar = calendar;
        DemoConnection = demoConnection;
        Directory = directory;
    }

    /// <summary>The first-party team directory API stand-in, called with exchanged tokens.</summary>
    public TeamDirectoryApiStandIn Directory { get; }

    public DescopeTestAuthority Authority { get; }

    public CalendarApiStandIn Calendar { get; }

    /// <summary>The demo user's Google Calendar connection in the vault.</summary>
    public TestConnection DemoConnection { get; }

    /// <summary>Declares the demo users and connection on the development authority and starts the Calendar stand-in.</summary>
    /// <param name="authority">The development authority; people sign in on its authorize page, the --demo client answers it itself.</param>
    public static async Task<OfflineEnvironment> StartAsync(DescopeTestAuthority authority)
    {
        foreach (var user in new[] { DemoUser, NewUser })
        {
            authority.AddUser(user, u =>
            {
                u.Scopes.Add("calendar.read");
                u.Scopes.Add("outbound.token.fetch");
                u.Claims["name"] = user == DemoUser ? "Dana Demo" : "Nico New";
                u.Claims["email"] = user == DemoUser ? "dana@example.com" : "nico@example.com";
            });
        }

        authority.SignedInUser = DemoUser;
        authority.ScopeDescriptions["calendar.read"] = "See your upcoming calendar events";
        authority.ScopeDescriptions[CalendarTools.CalendarReadScope] = "See the events of your Google calendars";

        // Who may view which calendar, as Descope FGA would say. The development authority answers direct tuples only (no
        // schema): owning a calendar implies viewing it only in a schema that says so, so the viewer tuples are declared too.
        authority.AddRelation(DemoUser, "owner", "calendar", "primary");
        authority.AddRelation(DemoUser, "viewer", "calendar", "primary");
        authority.AddRelation(NewUser, "viewer", "calendar", "primary");
        var connection = authority.Connections.AddUserConnection(CalendarTools.CalendarApp, DemoUser, [CalendarTools.CalendarReadScope]);
        authority.AddClient(ServerClientId, c => c.ClientSecret = ServerClientSecret);
        return new OfflineEnvironment(
            authority, await CalendarApiStandIn.StartAsync(authority), connection, await TeamDirectoryApiStandIn.StartAsync(authority, ServerClientId));
    }

    /// <summary>Stops the stand-ins; the development authority stops with the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await Directory.DisposeAsync();
        await Calendar.DisposeAsync();
    }
}
