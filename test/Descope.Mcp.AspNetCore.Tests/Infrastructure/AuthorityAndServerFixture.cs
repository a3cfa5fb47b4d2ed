using Descope.Mcp.AspNetCore.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>One authority and one protected server shared by the tests of a class.</summary>
public sealed class AuthorityAndServerFixture : IAsyncLifetime
{
    public DescopeTestAuthority Authority { get; private set; } = null!;

    internal ProtectedMcpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await DescopeTestAuthority.StartAsync();
        Server = await ProtectedMcpServer.StartAsync(Authority);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
