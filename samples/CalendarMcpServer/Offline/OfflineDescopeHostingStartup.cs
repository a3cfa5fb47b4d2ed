using Descope.Mcp.AspNetCore.Testing;
using Microsoft.Extensions.Options;

[assembly: HostingStartup(typeof(CalendarMcpServer.Offline.OfflineDescopeHostingStartup))]

namespace CalendarMcpServer.Offline;

/// <summary>
/// In Development, when no Descope project is configured, runs the sample against an embedded Descope-shaped test
/// authority so it works offline with no account. With real settings (or outside Development) it does nothing.
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

        var authority = DescopeTestAuthority.StartAsync().GetAwaiter().GetResult();
        services.AddSingleton(authority);
        services.AddDescopeTestAuthority(authority);
        services.AddHostedService<OfflineBanner>();
    });
}

/// <summary>Prints where everything is, and a token for curl, once the server listens.</summary>
internal sealed class OfflineBanner(DescopeTestAuthority authority, IOptions<Descope.Mcp.AspNetCore.DescopeMcpOptions> options, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var mcpUrl = options.Value.McpServerUrl!;
            authority.DefaultAudience = mcpUrl;
            var token = authority.CreateToken(t =>
            {
                t.Subject = "U2DemoUser";
                t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(8);
                foreach (var scope in options.Value.ScopesSupported)
                {
                    t.Scopes.Add(scope);
                }
            });
            var origin = new Uri(mcpUrl).GetLeftPart(UriPartial.Authority);
            Console.WriteLine($$"""

                Calendar MCP server (offline: embedded Descope test authority)
                  MCP endpoint:       {{mcpUrl}}
                  Resource metadata:  {{origin}}/.well-known/oauth-protected-resource{{new Uri(mcpUrl).AbsolutePath}}
                  Authority issuer:   {{authority.Issuer}}
                  Authority discovery:{{" " + authority.WellKnownUrl}}
                  Authority keys:     {{authority.JwksUrl}}
                  Bearer token (8 h): {{token}}

                Try: {{CurlExample}}

                """);
        });
        return Task.CompletedTask;
    }

    private const string CurlExample =
        "curl -s <MCP endpoint> -H \"Authorization: Bearer <token>\" -H \"Content-Type: application/json\" " +
        "-H \"Accept: application/json, text/event-stream\" -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}'";

    public Task StopAsync(CancellationToken cancellationToken) => authority.DisposeAsync().AsTask();
}
