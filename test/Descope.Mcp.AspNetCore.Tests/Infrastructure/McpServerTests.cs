using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A test class with its own authority and the protected MCP servers it starts; everything stops after each test. Tools
/// record their runs in <see cref="Calls"/>.
/// </summary>
public abstract class McpServerTests : IAsyncLifetime
{
    private readonly List<ProtectedMcpServer> _servers = [];

    protected ToolInvocations Calls { get; } = new();

    protected DescopeTestAuthority Authority { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Authority = await DescopeTestAuthority.StartAsync(ConfigureAuthority);

    public virtual async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Authority.DisposeAsync();
    }

    /// <summary>Changes how the test's authority starts.</summary>
    protected virtual void ConfigureAuthority(DescopeTestAuthorityOptions options)
    {
    }

    private protected async Task<ProtectedMcpServer> StartServerAsync(
        Action<IMcpServerBuilder> tools,
        Action<DescopeMcpOptions>? configure = null,
        bool stateful = false,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? map = null)
    {
        var server = await ProtectedMcpServer.StartAsync(
            Authority,
            configure,
            services: s =>
            {
                s.AddSingleton(Calls);
                services?.Invoke(s);
            },
            transport: t => t.Stateless = !stateful,
            map: map,
            mcp: tools);
        _servers.Add(server);
        return server;
    }

    /// <summary>A valid token for the server with the scopes.</summary>
    private protected string TokenFor(ProtectedMcpServer server, params string[] scopes) => Authority.CreateToken(t =>
    {
        t.Audience = server.McpUrl;
        foreach (var scope in scopes)
        {
            t.Scopes.Add(scope);
        }
    });

    private protected static string MetadataUrl(ProtectedMcpServer server) =>
        server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp";

    /// <summary>A 403 whose challenge asks for exactly these scopes, as MCP clients step up on.</summary>
    private protected static void AssertStepUpChallenge(HttpResponseMessage response, ProtectedMcpServer server, string scopes)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            $"Bearer error=\"insufficient_scope\", scope=\"{scopes}\", resource_metadata=\"{MetadataUrl(server)}\"",
            response.Headers.WwwAuthenticate.ToString());
    }
}
