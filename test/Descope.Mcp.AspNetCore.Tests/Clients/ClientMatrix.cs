using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// The MCP clients nobody here wrote, each driven by its script in test/clients against the running sample. One
/// collection: the tests share the sample processes and run one at a time, so each script has the machine's cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClientMatrix : ICollectionFixture<ClientMatrixServers>
{
    public const string Name = "MCP clients";
}

/// <summary>
/// The calendar sample twice, as the README runs it: as configured (a tool the caller may not use is answered with the
/// 403 step-up) and with <c>Descope:ToolAuthorizationFailureMode=ToolError</c> (it is a tool error instead).
/// </summary>
public sealed class ClientMatrixServers : IAsyncLifetime
{
    /// <summary>The sample as configured: 403 step-up challenges.</summary>
    public SampleServerProcess Forbidden { get; } = new();

    /// <summary>The sample answering a refused tool call with a tool error.</summary>
    public SampleServerProcess ToolError { get; } = new(new Dictionary<string, string>
    {
        ["Descope__ToolAuthorizationFailureMode"] = "ToolError",
    });

    public Task InitializeAsync() => Task.WhenAll(Forbidden.InitializeAsync(), ToolError.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Forbidden.DisposeAsync();
        await ToolError.DisposeAsync();
    }
}
