namespace CalendarMcpServer;

/// <summary>Registers the clients of the APIs the sample's tools call.</summary>
public static class GoogleCalendarServiceCollectionExtensions
{
    /// <summary>Adds <see cref="GoogleCalendarClient"/>, configured from the <c>Calendar</c> section.</summary>
    /// <param name="services">The app's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddGoogleCalendarClient(this IServiceCollection services)
    {
        services.AddOptions<GoogleCalendarOptions>().BindConfiguration("Calendar");
        services.AddHttpClient<GoogleCalendarClient>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Adds <see cref="TeamDirectoryClient"/>, configured from the <c>TeamDirectory</c> section.</summary>
    /// <param name="services">The app's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddTeamDirectoryClient(this IServiceCollection services)
    {
        services.AddOptions<TeamDirectoryOptions>().BindConfiguration("TeamDirectory");
        services.AddHttpClient<TeamDirectoryClient>();
        return services;
    }
}
