using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real MCP server on Kestrel (loopback, its own port) with Descope added the way an app adds it.
/// </summary>
internal sealed class ProtectedMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProtectedMcpServer(WebApplication app, Uri baseAddress, string mcpPath)
    {
        _app = app;
        BaseAddress = baseAddress;
        McpUrl = new Uri(baseAddress, mcpPath).AbsoluteUri;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>The MCP endpoint, also the configured McpServerUrl.</summary>
    public string McpUrl { get; }

    /// <summary>A client with no credentials, for raw HTTP assertions.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ProtectedMcpServer> StartAsync(
        DescopeTestAuthority authority,
        Action<DescopeMcpOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<HttpServerTransportOptions>? transport = null,
        Action<WebApplication>? map = null,
        string mcpPath = "/mcp",
        Action<IMcpServerBuilder>? mcp = null)
    {
        // Another test may take the free port between the look-up and the bind: then try another one.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(authority, configure, services, transport, map, mcpPath, mcp);
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    private static async Task<ProtectedMcpServer> StartOnFreePortAsync(
        DescopeTestAuthority authority,
        Action<DescopeMcpOptions>? configure,
        Action<IServiceCollection>? services,
        Action<HttpServerTransportOptions>? transport,
        Action<WebApplication>? map,
        string mcpPath,
        Action<IMcpServerBuilder>? mcp)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var mcpUrl = new Uri(baseAddress, mcpPath).AbsoluteUri;

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(baseAddress.AbsoluteUri);
        var mcpServer = builder.Services.AddMcpServer()
            .WithHttpTransport(options => transport?.Invoke(options));
        if (mcp is null)
        {
            mcpServer.WithTools<TestTools>();
        }
        else
        {
            mcp(mcpServer);
        }

        builder.Services.AddDescopeTestAuthority(authority);
        builder.Services.AddDescopeMcp(options =>
        {
            options.McpServerUrl = mcpUrl;
            configure?.Invoke(options);
        });
        services?.Invoke(builder.Services);

        var app = builder.Build();
        if (map is null)
        {
            app.MapMcp(mcpPath);
        }
        else
        {
            map(app);
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        authority.DefaultAudience ??= mcpUrl;
        await StartupKeyLoadSettledAsync(app.Services);
        return new ProtectedMcpServer(app, baseAddress, mcpPath);
    }

    /// <summary>
    /// The server loads the signing keys in the background as it starts; tests begin once that first load has succeeded
    /// or failed, so what they count and what they see does not depend on how fast it was.
    /// </summary>
    private static async Task StartupKeyLoadSettledAsync(IServiceProvider services)
    {
        var keys = services.GetRequiredService<DescopeSigningKeys>();
        for (var i = 0; i < 400 && keys.State is { Loaded: false, FailedLoadsSinceLastLoad: 0 }; i++)
        {
            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Connects the MCP SDK's own client over HTTP with a fixed bearer token, or none; in the protocol version given, else
    /// the newest the server speaks.
    /// </summary>
    public async Task<McpClient> ConnectAsync(string? token, string? protocolVersion = null, CancellationToken cancellationToken = default)
    {
        var http = new HttpClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(McpUrl), TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Connects the MCP SDK's own client with OAuth: it discovers the authority from the 401, registers itself, is
    /// authorized (by the authority's <see cref="DescopeTestAuthority.CompleteAuthorizationAsync"/> unless
    /// <paramref name="authorize"/> plays the user), and steps up on 403 insufficient_scope.
    /// </summary>
    public async Task<McpClient> ConnectWithOAuthAsync(
        DescopeTestAuthority authority,
        Func<AuthorizationCallbackContext, CancellationToken, Task<AuthorizationResult?>>? authorize = null,
        string clientName = "Step-up test client",
        string? protocolVersion = null,
        CancellationToken cancellationToken = default)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = new Uri(McpUrl),
                TransportMode = HttpTransportMode.StreamableHttp,
                OAuth = new ClientOAuthOptions
                {
                    RedirectUri = new Uri("http://127.0.0.1:1/callback"),
                    AuthorizationCallbackHandler = authorize ?? authority.CompleteAuthorizationAsync,
                    DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = clientName },
                },
            },
            new HttpClient(),
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion }, cancellationToken: cancellationToken);
    }

    /// <summary>A JSON-RPC POST as an MCP client would send it (stateless 2026-07-28 style).</summary>
    public HttpRequestMessage McpRequest(string? token, string method = "tools/list", string? name = null, string? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, McpUrl)
        {
            Content = new StringContent(body ?? $$$"""{"jsonrpc":"2.0","id":1,"method":"{{{method}}}","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
