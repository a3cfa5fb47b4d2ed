namespace CalendarMcpServer;

/// <summary>Registers the Google Calendar client.</summary>
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
}
