using Descope.Mcp.AspNetCore.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A test authority and a protected MCP server on it, started before and stopped after a test (as a base class) or a
/// test class (as a class fixture).
/// </summary>
public class AuthorityAndServerFixture : IAsyncLifetime
{
    public DescopeTestAuthority Authority { get; private set; } = null!;

    internal ProtectedMcpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await DescopeTestAuthority.StartAsync();
        Server = await ProtectedMcpServer.StartAsync(Authority, ConfigureDescope);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }

    protected virtual void ConfigureDescope(DescopeMcpOptions options)
    {
    }
}
