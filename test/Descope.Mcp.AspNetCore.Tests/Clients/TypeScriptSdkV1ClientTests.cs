namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// The official TypeScript MCP SDK v1 client (<c>@modelcontextprotocol/sdk</c>, test/clients/typescript) through the
/// matrix's scenarios, with OAuth against the sample's development authority.
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class TypeScriptSdkV1ClientTests(ClientMatrixServers servers)
{
    [Fact]
    public async Task The_v1_SDK_signs_in_and_completes_the_403_step_up_by_authorizing_again()
    {
        var record = await ClientMatrixRecord.RunAsync("typescript", "@modelcontextprotocol/sdk", servers);

        Assert.Equal("1.32.2", record.Version);
        // v1 asks for the scopes the 401 names and nothing else: no offline_access, so the authority issues no refresh token.
        record.AssertSignedIn(requestedScope: "outbound.token.fetch");
        // On a 403 v1 refreshes when it holds a refresh token (and then fails "after trying upscoping"); without one it
        // sends the user to authorize the challenged scopes, and the app's retry succeeds.
        record.AssertSteppedUpOn403(requestedScope: "outbound.token.fetch calendar.read");
        Assert.Equal(0, (int?)record.Scenario("stepUp403")["refreshes"]);
        Assert.False((bool?)record.Scenario("signIn")["refreshToken"]);
        record.AssertToolErrorLeftToTheApp();
        // Without a token it connects, lists every tool, calls the public one, and signs in on the 401 of a protected one.
        record.AssertPublicToolCalledThenSignedInOn401(requestedScope: "outbound.token.fetch");
    }
}
