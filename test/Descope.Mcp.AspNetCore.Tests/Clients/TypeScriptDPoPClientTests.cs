using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Tests.Clients;

/// <summary>
/// The official TypeScript MCP client 2.4.0 with DPoP (test/clients/typescript-dpop) against the running sample on its
/// development authority: OAuth from the 401 with dynamic registration, PKCE and a DPoP-bound token, tools/call, the 403
/// step-up, re-authorization and the retried call. The script records what went over the wire (no tokens, no proofs);
/// the test checks that record: every token request carried a proof, every token was bound to the client's key, and
/// every MCP request presented its token with the DPoP scheme and a fresh proof for that request and that token.
/// </summary>
[Collection(ClientMatrix.Name)]
public sealed class TypeScriptDPoPClientTests(ClientMatrixServers servers)
{
    private SampleServerProcess Sample => servers.Forbidden;

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_official_TypeScript_client_with_DPoP_authorizes_calls_tools_and_steps_up_with_DPoP_bound_tokens()
    {
        var clientFolder = Path.Combine(RepositoryRoot.Path, "test", "clients", "typescript-dpop");
        Assert.True(
            Directory.Exists(Path.Combine(clientFolder, "node_modules", "@modelcontextprotocol", "client")),
            "The TypeScript MCP client is not installed: run test/clients/typescript-dpop/install.sh (build/test.sh and .ci/run do).");
        var recordFile = Path.Combine(Path.GetTempPath(), $"dpop-record-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await NodeScript.RunAsync(clientFolder, ["mcp-dpop-client.mjs"], ScriptTimeout, new Dictionary<string, string>
            {
                ["MCP_URL"] = Sample.McpUrl.AbsoluteUri,
                ["DPOP_RECORD"] = recordFile,
            });

            Assert.True(exitCode == 0 && output.Contains("# all 8 checks passed", StringComparison.Ordinal), $"mcp-dpop-client.mjs exited with {exitCode}:\n{output}");
            AssertWireRecord(JsonNode.Parse(await File.ReadAllTextAsync(recordFile))!, Sample.McpUrl.AbsoluteUri);
        }
        finally
        {
            File.Delete(recordFile);
        }
    }

    private static void AssertWireRecord(JsonNode record, string mcpUrl)
    {
        var requests = record["requests"]!.AsArray().Select(r => r!).ToArray();
        var proofs = requests.Where(r => r["proofClaims"] is not null).ToArray();

        // One key signs every proof, its thumbprint as computed here is the client's, and no proof is used twice.
        var thumbprints = proofs.Select(r => Base64UrlEncoder.Encode(new JsonWebKey(r["proofHeader"]!["jwk"]!.ToJsonString()).ComputeJwkThumbprint())).Distinct().ToArray();
        Assert.Equal([(string)record["thumbprint"]!], thumbprints);
        Assert.All(proofs, r => Assert.Equal("dpop+jwt", (string?)r["proofHeader"]!["typ"]));
        Assert.All(proofs, r => Assert.False((bool)r["proofHeader"]!["hasPrivateKey"]!));
        Assert.Equal(proofs.Length, proofs.Select(r => (string?)r["proofClaims"]!["jti"]).Distinct().Count());

        // The token endpoint: every request with a proof for it, the first answered use_dpop_nonce, every token bound.
        var tokenRequests = requests.Where(r => ((string)r["url"]!).EndsWith("/token", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(tokenRequests);
        Assert.All(tokenRequests, r =>
        {
            Assert.Equal("POST", (string?)r["proofClaims"]?["htm"]);
            Assert.Equal((string?)r["url"], (string?)r["proofClaims"]!["htu"]);
            Assert.Null(r["proofClaims"]!["ath"]);
        });
        Assert.Equal("use_dpop_nonce", (string?)tokenRequests[0]["error"]);
        Assert.True((bool)tokenRequests[0]["dpopNonceSent"]!);
        var issued = tokenRequests.Where(r => (int)r["status"]! == 200).ToArray();
        Assert.True(issued.Length >= 2, "The client should have been issued a token twice: at first and on step-up.");
        Assert.All(issued, r =>
        {
            Assert.Equal("DPoP", (string?)r["tokenType"]);
            Assert.Equal(thumbprints[0], (string?)r["issuedTokenCnfJkt"]);
            Assert.NotNull(r["proofClaims"]!["nonce"]);
        });

        // The MCP endpoint: once authorized, every request presents a bound token with DPoP and a proof for it.
        var mcpRequests = requests.Where(r => (string)r["url"]! == mcpUrl).ToArray();
        var authorized = mcpRequests.Where(r => r["scheme"] is not null).ToArray();
        Assert.True(authorized.Length >= 4, $"Only {authorized.Length} MCP requests carried a token.");
        Assert.All(authorized, r =>
        {
            Assert.Equal("DPoP", (string?)r["scheme"]);
            Assert.Equal(thumbprints[0], (string?)r["accessTokenCnfJkt"]);
            Assert.Equal((string?)r["method"], (string?)r["proofClaims"]?["htm"]);
            Assert.Equal(mcpUrl, (string?)r["proofClaims"]!["htu"]);
            Assert.Equal((string?)r["accessTokenHash"], (string?)r["proofClaims"]!["ath"]);
        });

        // The step-up: a 403 to the DPoP caller, with the DPoP scheme and every scope the tool needs.
        var stepUp = Assert.Single(authorized, r => (int)r["status"]! == 403);
        var challenge = (string)stepUp["wwwAuthenticate"]!;
        Assert.StartsWith("DPoP ", challenge, StringComparison.Ordinal);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"outbound.token.fetch calendar.read\"", challenge, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"eyJ[\w-]+\.[\w-]+\.", record.ToJsonString());
    }
}
