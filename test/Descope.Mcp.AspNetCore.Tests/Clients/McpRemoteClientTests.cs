namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// <c>mcp-remote</c> (test/clients/mcp-remote), the stdio bridge Claude Desktop and other stdio-only hosts use for
/// remote servers, through the matrix's scenarios: the script is the host, and mcp-remote's browser is a stand-in that
/// answers the authorize page.
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class McpRemoteClientTests(ClientMatrixServers servers)
{
    [Fact]
    public async Task Mcp_remote_signs_in_and_completes_the_403_step_up_without_the_host_noticing()
    {
        var record = await ClientMatrixRecord.RunAsync("mcp-remote", "mcp-remote", servers);

        Assert.Equal("0.15.1", record.Version);
        // It bundles the TypeScript client 2.x: offline_access is added, and a 403 sends the user to authorize again.
        record.AssertSignedIn(requestedScope: "outbound.token.fetch offline_access");
        // mcp-remote opens the browser, waits for its callback and retries: the host only sees the call succeed.
        record.AssertSteppedUpOn403(requestedScope: "outbound.token.fetch offline_access calendar.read");
        record.AssertToolErrorLeftToTheApp();
        // Without a token it connects, lists every tool and calls the public one; on the 401 of a protected tool it opens
        // the browser and retries itself.
        record.AssertPublicToolCalledThenSignedInOn401(requestedScope: "outbound.token.fetch offline_access");
    }
}
