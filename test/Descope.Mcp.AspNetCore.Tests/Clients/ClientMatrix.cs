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
/// The calendar sample three times, as the README runs it: as configured (a tool the caller may not use is answered with
/// the 403 step-up), with <c>Descope:ToolAuthorizationFailureMode=ToolError</c> (it is a tool error instead), and with
/// public primitives (<c>Descope:AnonymousAccess=PublicPrimitives</c>, every tool listed with
/// <c>Descope:HideUnauthorizedPrimitives=false</c>; a protected tool called without a token is answered 401). Public
/// primitives get a server of their own: there a caller without a token connects, and the 401 of a protected tool names
/// every scope it needs, so a client would sign in straight to <c>calendar.read</c> and the step-up scenarios would not
/// happen (and in <c>ToolError</c> mode that call is a tool error, not the 401 this scenario looks for).
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

    /// <summary>The sample serving its public tool to callers that have not signed in, and listing every tool.</summary>
    public SampleServerProcess Public { get; } = new(new Dictionary<string, string>
    {
        ["Descope__AnonymousAccess"] = "PublicPrimitives",
        ["Descope__HideUnauthorizedPrimitives"] = "false",
    });

    /// <summary>The sample's tool marked <c>[AllowAnonymous]</c>, which the public server serves without a token.</summary>
    public const string PublicTool = "about_calendar_server";

    public Task InitializeAsync() => Task.WhenAll(Forbidden.InitializeAsync(), ToolError.InitializeAsync(), Public.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Forbidden.DisposeAsync();
        await ToolError.DisposeAsync();
        await Public.DisposeAsync();
    }
}
