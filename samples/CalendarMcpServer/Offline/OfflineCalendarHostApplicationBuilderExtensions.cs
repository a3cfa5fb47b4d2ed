using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;

namespace CalendarMcpServer.Offline;

/// <summary>
/// What the sample adds to the development authority when it runs offline: two demo users, a Google Calendar connection
/// in the vault, a local stand-in for the Calendar API, the server's own client for token exchange with a local team
/// directory API that accepts the exchanged tokens, and the banner (or, with <c>--demo</c>, the demo client).
/// </summary>
internal static class OfflineCalendarHostApplicationBuilderExtensions
{
    public static void AddOfflineCalendar(this IHostApplicationBuilder builder, DescopeTestAuthority authority)
    {
        var offline = OfflineEnvironment.StartAsync(authority).GetAwaiter().GetResult();
        builder.Services.AddSingleton(offline);
        builder.Services.Configure<GoogleCalendarOptions>(o => o.ApiBaseUrl = offline.Calendar.BaseUrl);
        builder.Services.Configure<TeamDirectoryOptions>(o => o.ApiUrl = offline.Directory.ApiUrl);
        builder.Services.Configure<DescopeMcpOptions>(o =>
        {
            o.TokenExchange.ClientId = OfflineEnvironment.ServerClientId;
            o.TokenExchange.ClientSecret = OfflineEnvironment.ServerClientSecret;
        });
        builder.Services.AddHostedService<OfflineLifetime>();
        if (Environment.GetCommandLineArgs().Contains("--demo", StringComparer.Ordinal))
        {
            builder.Services.AddHostedService<DemoClient>();
        }
        else
        {
            builder.Services.AddHostedService<OfflineBanner>();
        }
    }
}
