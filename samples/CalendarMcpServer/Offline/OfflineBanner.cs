using Descope.Mcp.AspNetCore;
using Microsoft.Extensions.Options;

namespace CalendarMcpServer.Offline;

/// <summary>Prints where everything is, and a token for curl, once the server listens.</summary>
internal sealed class OfflineBanner(OfflineEnvironment offline, IOptions<DescopeMcpOptions> options, IHostApplicationLifetime lifetime) : IHostedService
{
    private const string CurlExample =
        "curl -s <MCP endpoint> -H \"Authorization: Bearer <token>\" -H \"Content-Type: application/json\" " +
        "-H \"Accept: application/json, text/event-stream\" -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}'";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var authority = offline.Authority;
            var mcpUrl = options.Value.McpServerUrl!;
            var token = authority.CreateToken(t =>
            {
                t.Subject = OfflineEnvironment.DemoUser;
                t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(8);
                t.Scopes.Add("calendar.read");
                t.Scopes.Add("outbound.token.fetch");
            });
            var url = new Uri(mcpUrl);
            Console.WriteLine($$"""

                Calendar MCP server (offline: embedded Descope test authority, local Google Calendar stand-in)
                  MCP endpoint:       {{mcpUrl}}
                  Resource metadata:  {{url.GetLeftPart(UriPartial.Authority)}}/.well-known/oauth-protected-resource{{url.AbsolutePath}}
                  Authority issuer:   {{authority.Issuer}}
                  Authority keys:     {{authority.JwksUrl}}
                  Calendar stand-in:  {{offline.Calendar.BaseUrl}}
                  Demo users:         {{OfflineEnvironment.DemoUser}} (calendar connected), {{OfflineEnvironment.NewUser}} (not connected)
                  Calendars:          both may view primary, neither {{OfflineEnvironment.TeamCalendar}} (Descope FGA relations)
                  Bearer token (8 h): {{token}}

                Try: {{CurlExample}}

                """);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
