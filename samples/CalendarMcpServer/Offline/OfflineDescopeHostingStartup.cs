using CalendarMcpServer.Offline;
using Descope.Mcp.AspNetCore;

[assembly: HostingStartup(typeof(OfflineDescopeHostingStartup))]

namespace CalendarMcpServer.Offline;

/// <summary>
/// In Development, when no Descope project is configured, runs the sample against an embedded Descope-shaped test
/// authority and a local Google Calendar stand-in, so it works offline with no account. With real settings, or outside
/// Development, it does nothing.
/// </summary>
internal sealed class OfflineDescopeHostingStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder) => builder.ConfigureServices((context, services) =>
    {
        var descope = context.Configuration.GetSection("Descope");
        if (!context.HostingEnvironment.IsDevelopment()
            || !string.IsNullOrEmpty(descope["WellKnownUrl"]) || !string.IsNullOrEmpty(descope["ProjectId"]))
        {
            return;
        }

        var demo = Environment.GetCommandLineArgs().Contains("--demo", StringComparer.Ordinal);
        var offline = OfflineEnvironment.StartAsync().GetAwaiter().GetResult();
        services.AddSingleton(offline);
        services.AddSingleton(offline.Authority);
        services.AddDescopeTestAuthority(offline.Authority);
        services.Configure<GoogleCalendarOptions>(o => o.ApiBaseUrl = offline.Calendar.BaseUrl);
        services.Configure<TeamDirectoryOptions>(o => o.ApiUrl = offline.Directory.ApiUrl);
        services.Configure<DescopeMcpOptions>(o =>
        {
            o.TokenExchange.ClientId = OfflineEnvironment.ServerClientId;
            o.TokenExchange.ClientSecret = OfflineEnvironment.ServerClientSecret;
        });
        services.AddHostedService<OfflineLifetime>();
        if (demo)
        {
            services.AddHostedService<DemoClient>();
        }
        else
        {
            services.AddHostedService<OfflineBanner>();
        }
    });
}
