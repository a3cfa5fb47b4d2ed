using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A test authority with its connection vault, and a real MCP server on Kestrel whose tools use
/// <see cref="IConnectionTokenService"/>. Retries wait milliseconds, not seconds, so fault tests stay fast.
/// </summary>
internal sealed class ConnectionTestHost : IAsyncDisposable
{
    public const string Alice = "U2Alice";
    public const string Calendar = "google-calendar";
    public const string CalendarScope = "https://www.googleapis.com/auth/calendar.readonly";

    private readonly List<McpClient> _clients = [];

    private ConnectionTestHost(DescopeTestAuthority authority, ProtectedMcpServer server)
    {
        Authority = authority;
        Server = server;
    }

    public DescopeTestAuthority Authority { get; }

    public ProtectedMcpServer Server { get; }

    public TestConnectionVault Vault => Authority.Connections;

    public ToolProbe Probe => Server.Services.GetRequiredService<ToolProbe>();

    public static async Task<ConnectionTestHost> StartAsync(
        Action<DescopeMcpOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<DescopeTestAuthorityOptions>? authority = null,
        Action<HttpServerTransportOptions>? transport = null)
    {
        var testAuthority = await DescopeTestAuthority.StartAsync(authority);
        var server = await ProtectedMcpServer.StartAsync(
            testAuthority,
            configure: options =>
            {
                options.Connections.RetryDelay = TimeSpan.FromMilliseconds(5);
                options.Connections.AttemptTimeout = TimeSpan.FromSeconds(3);
                options.Connections.TotalTimeout = TimeSpan.FromSeconds(10);
                configure?.Invoke(options);
            },
            services: s =>
            {
                s.AddSingleton<ToolProbe>();
                services?.Invoke(s);
            },
            transport: transport,
            mcp: builder => builder.WithTools<ConnectionTools>());
        return new ConnectionTestHost(testAuthority, server);
    }

    /// <summary>An access token of this authority that may fetch connection tokens.</summary>
    public string AccessToken(string user = Alice, Action<TestTokenDescriptor>? configure = null) => Authority.CreateToken(t =>
    {
        t.Subject = user;
        t.Scopes.Add(TestConnectionVault.FetchScope);
        configure?.Invoke(t);
    });

    public async Task<McpClient> ConnectAsync(string user = Alice, Action<TestTokenDescriptor>? configure = null) =>
        await ConnectWithAsync(AccessToken(user, configure));

    public async Task<McpClient> ConnectWithAsync(string accessToken)
    {
        var client = await Server.ConnectAsync(accessToken);
        _clients.Add(client);
        return client;
    }

    public static async Task<CallToolResult> CallAsync(McpClient client, string tool, object? arguments = null, CancellationToken cancellationToken = default)
    {
        var dictionary = arguments is null
            ? null
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments));
        return await client.CallToolAsync(tool, dictionary, cancellationToken: cancellationToken);
    }

    /// <summary>The text of a tool result that must have succeeded.</summary>
    public static string Text(CallToolResult result)
    {
        Assert.True(result.IsError is not true, "The tool failed: " + AllText(result));
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }

    /// <summary>The text of a tool result that must have failed.</summary>
    public static string ErrorText(CallToolResult result)
    {
        var text = AllText(result);
        Assert.True(result.IsError is true, "The tool succeeded: " + text);
        return text;
    }

    private static string AllText(CallToolResult result) => string.Join(" ", result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        Authority.Connections.Faults.Reset();
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
