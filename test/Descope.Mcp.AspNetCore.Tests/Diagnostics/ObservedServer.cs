using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// A protected MCP server with tools that need scopes, roles and connection tokens, a <c>/healthz</c> endpoint, and a
/// logging provider that records every line, on its own test authority.
/// </summary>
internal sealed class ObservedServer : IAsyncDisposable
{
    public const string Calendar = ConnectionTestHost.Calendar;

    private ObservedServer(DescopeTestAuthority authority, ProtectedMcpServer server, RecordingLoggerProvider logs)
    {
        Authority = authority;
        Server = server;
        Logs = logs;
    }

    public DescopeTestAuthority Authority { get; }

    public ProtectedMcpServer Server { get; }

    public RecordingLoggerProvider Logs { get; }

    public IEnumerable<LogEntry> Audit => Logs.Entries.Where(e => e.Category == DescopeMcpDefaults.AuditLogCategory);

    public static async Task<ObservedServer> StartAsync(
        Action<DescopeMcpOptions>? configure = null,
        Action<DescopeTestAuthority>? beforeStart = null,
        Action<WebApplication>? map = null)
    {
        var authority = await DescopeTestAuthority.StartAsync();
        beforeStart?.Invoke(authority);
        var logs = new RecordingLoggerProvider();
        var server = await ProtectedMcpServer.StartAsync(
            authority,
            configure: options =>
            {
                options.Connections.RetryDelay = TimeSpan.FromMilliseconds(5);
                configure?.Invoke(options);
            },
            services: services =>
            {
                services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
                services.AddSingleton<ToolProbe>();
                services.AddSingleton<ToolInvocations>();
                services.AddHealthChecks().AddDescopeMcp();
            },
            map: map ?? (app =>
            {
                app.MapMcp("/mcp");
                app.MapHealthChecks("/healthz");
            }),
            mcp: builder => builder.WithTools<ConnectionTools>().WithTools<CalendarTools>().WithTools<TenantTools>().WithTools<RefreshTokenTools>()
                .WithPrompts<RecordingPrompts>().WithResources<RecordingResources>());
        return new ObservedServer(authority, server, logs);
    }

    /// <summary>A collector of one of the library's instruments on this server's meter only.</summary>
    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(Server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), DescopeMcpDefaults.MeterName, instrument);

    /// <summary>Waits for the signing keys that the server loads in the background at startup.</summary>
    public async Task KeysLoadedAsync()
    {
        var keys = Server.Services.GetRequiredService<DescopeSigningKeys>();
        for (var i = 0; i < 200 && !keys.State.Loaded; i++)
        {
            await Task.Delay(25);
        }

        Assert.True(keys.State.Loaded, "The signing keys did not load.");
    }

    public Task<HttpResponseMessage> CallToolAsync(string? token, string tool, object? arguments = null) =>
        SendAsync(token, "tools/call", new { name = tool, arguments = arguments ?? new { } });

    /// <summary>Sends one JSON-RPC request with the method only in the body.</summary>
    public async Task<HttpResponseMessage> SendAsync(string? token, string method, object parameters)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        return await Server.Http.SendAsync(Server.McpRequest(token, body: body));
    }

    public async Task<string> HealthAsync() => await (await Server.Http.GetAsync("/healthz")).Content.ReadAsStringAsync();

    public async Task<McpClient> ConnectAsync(string token) => await Server.ConnectAsync(token);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
