namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// The official TypeScript MCP client 2.x (<c>@modelcontextprotocol/client</c>, test/clients/typescript-dpop) through
/// the matrix's scenarios with bearer tokens (<see cref="TypeScriptDPoPClientTests"/> drives it with DPoP).
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class TypeScriptClientV2Tests(ClientMatrixServers servers)
{
    [Fact]
    public async Task The_v2_client_signs_in_with_offline_access_and_completes_the_403_step_up_by_authorizing_again()
    {
        var record = await ClientMatrixRecord.RunAsync("typescript-dpop", "@modelcontextprotocol/client", servers);

        Assert.Equal("2.4.0", record.Version);
        // v2 adds offline_access when the authority supports it and the client registered for refresh tokens.
        record.AssertSignedIn(requestedScope: "outbound.token.fetch offline_access");
        Assert.True((bool?)record.Scenario("signIn")["refreshToken"]);
        // It holds a refresh token, yet on a 403 for wider scopes it authorizes again instead of refreshing.
        record.AssertSteppedUpOn403(requestedScope: "outbound.token.fetch offline_access calendar.read");
        Assert.Equal(0, (int?)record.Scenario("stepUp403")["refreshes"]);
        record.AssertToolErrorLeftToTheApp();
        // Without a token it connects, lists every tool, calls the public one, and signs in on the 401 of a protected one.
        record.AssertPublicToolCalledThenSignedInOn401(requestedScope: "outbound.token.fetch offline_access");
    }
}
