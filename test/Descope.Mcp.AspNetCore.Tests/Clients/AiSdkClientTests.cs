namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// Vercel's AI SDK MCP client (<c>@ai-sdk/mcp</c>, test/clients/ai-sdk) through the matrix's scenarios, with OAuth
/// against the sample's development authority.
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class AiSdkClientTests(ClientMatrixServers servers)
{
    [Fact]
    public async Task The_AI_SDK_client_signs_in_but_turns_the_403_step_up_into_an_error()
    {
        var record = await ClientMatrixRecord.RunAsync("ai-sdk", "@ai-sdk/mcp", servers);

        Assert.Equal("2.0.99", record.Version);
        record.AssertSignedIn(requestedScope: "outbound.token.fetch");
        // It handles only 401: the 403 becomes an error carrying the JSON-RPC error's message, and no authorization starts.
        record.AssertOutcome("stepUp403", "failed");
        var stepUp = record.Scenario("stepUp403");
        Assert.Equal(0, (int?)stepUp["authorizations"]);
        Assert.Equal("Forbidden: the access token lacks scopes this tool requires.", (string?)stepUp["detail"]);
        record.AssertToolErrorLeftToTheApp();
        // Without a token it connects, lists every tool, calls the public one, and signs in on the 401 of a protected one.
        record.AssertPublicToolCalledThenSignedInOn401(requestedScope: "outbound.token.fetch");
    }
}
