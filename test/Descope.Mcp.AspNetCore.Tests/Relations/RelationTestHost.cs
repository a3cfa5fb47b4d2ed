using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// A test authority with relations and a management key, and a real MCP server on Kestrel whose tools, prompts and
/// resource require relations. Retries wait milliseconds, so fault tests stay fast; every log line is recorded.
/// </summary>
internal sealed class RelationTestHost : IAsyncDisposable
{
    public const string ManagementKey = "K2RelationsTestKey";
    public const string Alice = "U2Alice";
    public const string Bob = "U2Bob";

    private readonly List<McpClient> _clients = [];

    private RelationTestHost(DescopeTestAuthority authority, ProtectedMcpServer server, RecordingLoggerProvider logs)
    {
        Authority = authority;
        Server = server;
        Logs = logs;
    }

    public DescopeTestAuthority Authority { get; }

    public ProtectedMcpServer Server { get; }

    public RecordingLoggerProvider Logs { get; }

    public ToolInvocations Calls => Server.Services.GetRequiredService<ToolInvocations>();

    public TestRelations Relations => Authority.Relations;

    /// <summary>How many requests reached the FGA check.</summary>
    public int CheckRequests => Relations.Requests.Count;

    public IEnumerable<LogEntry> Audit => Logs.Entries.Where(e => e.Category == DescopeMcpDefaults.AuditLogCategory);

    public static async Task<RelationTestHost> StartAsync(
        Action<DescopeMcpOptions>? configure = null,
        Action<IMcpServerBuilder>? mcp = null,
        Action<HttpServerTransportOptions>? transport = null,
        Action<IServiceCollection>? services = null)
    {
        var authority = await DescopeTestAuthority.StartAsync();
        authority.Relations.ManagementKey = ManagementKey;
        var logs = new RecordingLoggerProvider();
        try
        {
            var server = await ProtectedMcpServer.StartAsync(
                authority,
                configure: options =>
                {
                    options.ManagementKey = ManagementKey;
                    options.Connections.RetryDelay = TimeSpan.FromMilliseconds(5);
                    options.Fga.AttemptTimeout = TimeSpan.FromSeconds(3);
                    configure?.Invoke(options);
                },
                services: collection =>
                {
                    collection.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
                    collection.AddSingleton<ToolInvocations>();
                    services?.Invoke(collection);
                },
                transport: transport,
                mcp: mcp ?? (builder => builder.WithTools<RelationTools>().WithPrompts<RelationPrompts>().WithResources<RelationResources>()));
            return new RelationTestHost(authority, server, logs);
        }
        catch
        {
            await authority.DisposeAsync();
            throw;
        }
    }

    /// <summary>A user's access token for this server, with the scopes.</summary>
    public string TokenFor(string user, Action<TestTokenDescriptor>? configure = null) => Authority.CreateToken(t =>
    {
        t.Subject = user;
        configure?.Invoke(t);
    });

    public async Task<McpClient> ConnectAsync(string user = Alice, Action<TestTokenDescriptor>? configure = null) =>
        await ConnectWithAsync(TokenFor(user, configure));

    public async Task<McpClient> ConnectWithAsync(string token)
    {
        var client = await Server.ConnectAsync(token);
        _clients.Add(client);
        return client;
    }

    public static Task<CallToolResult> CallAsync(McpClient client, string tool, object? arguments = null) =>
        client.CallToolAsync(tool, arguments is null ? null : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))).AsTask();

    /// <summary>A 2026-07-28 request of <paramref name="method"/> for <paramref name="name"/> over raw HTTP; its status and JSON-RPC message.</summary>
    public async Task<(HttpStatusCode Status, JsonNode Message, HttpResponseMessage Response)> SendAsync(string token, string method, string name, JsonObject parameters)
    {
        var body = RawMcp.Body(method, parameters);
        using var request = RawMcp.Post(Server.McpUrl, token, body, RawMcp.Latest, ("Mcp-Method", method), ("Mcp-Name", name));
        var response = await Server.Http.SendAsync(request);
        return (response.StatusCode, await RawMcp.ReadMessageAsync(response), response);
    }

    public Task<(HttpStatusCode Status, JsonNode Message, HttpResponseMessage Response)> CallToolRawAsync(string token, string tool, JsonObject arguments) =>
        SendAsync(token, "tools/call", tool, new JsonObject { ["name"] = tool, ["arguments"] = arguments });

    /// <summary>A collector of one of the library's instruments on this server's meter.</summary>
    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(Server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), DescopeMcpDefaults.MeterName, instrument);

    /// <summary>The tuples one check request asked about, as the authority received them.</summary>
    public static JsonArray TuplesOf(TestVaultRequest request) => JsonNode.Parse(request.Body)!["tuples"]!.AsArray();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        Relations.Faults.Reset();
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
