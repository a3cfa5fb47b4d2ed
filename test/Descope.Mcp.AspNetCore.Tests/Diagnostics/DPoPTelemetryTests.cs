using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>DPoP proofs on the meter, the audit log and the request's activity, with their reasons and without their text.</summary>
public sealed class DPoPTelemetryTests
{
    [Fact]
    public async Task Proofs_are_counted_and_refusals_audited_by_reason_and_no_proof_or_token_text_is_logged()
    {
        await using var host = await ObservedServer.StartAsync();
        await host.KeysLoadedAsync();
        using var proofs = host.Collect<long>("descope.mcp.dpop.proofs");
        using var key = TestDPoPKey.Create();
        using var other = TestDPoPKey.Create();
        var token = host.Authority.CreateToken(t => t.DPoPThumbprint = key.Thumbprint);
        var proof = key.CreateProof("POST", host.Server.McpUrl, token);
        var forged = key.CreateProof("POST", host.Server.McpUrl, token, configure: p => p.SignWith = other);
        var foreign = other.CreateProof("POST", host.Server.McpUrl, token);

        Assert.Equal(HttpStatusCode.OK, (await host.Server.Http.SendAsync(DPoPClient.McpRequest(host.Server, token, proof))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(DPoPClient.McpRequest(host.Server, token, proof))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(DPoPClient.McpRequest(host.Server, token, forged))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Server.Http.SendAsync(DPoPClient.McpRequest(host.Server, token, foreign))).StatusCode);

        // The proof by another key is refused at the binding, so its jti is never used up: one "valid", for the first.
        Assert.Equal(
            ["invalid_signature", "key_mismatch", "replayed", "valid"],
            proofs.GetMeasurementSnapshot().Select(m => (string)m.Tags["descope.outcome"]!).Order());
        Assert.Equal(
            ["DPoP proof refused: invalid_signature.", "DPoP proof refused: key_mismatch.", "DPoP proof refused: replayed."],
            host.Audit.Where(e => e.AllText.Contains("DPoP", StringComparison.Ordinal)).Select(e => e.Message).Order());

        var texts = host.Logs.Entries.Select(e => e.AllText).ToList();
        foreach (var secret in new[] { token, proof, forged, foreign }.SelectMany(s => s.Split('.').Where(p => p.Length >= 8).Append(s)))
        {
            Assert.DoesNotContain(texts, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_DPoP_caller_gets_connection_tokens_and_refusing_bound_tokens_is_a_typed_failure()
    {
        using var key = TestDPoPKey.Create();
        await using var forwarding = await ConnectionTestHost.StartAsync();
        var connection = forwarding.Vault.AddUserConnection(ConnectionTestHost.Calendar, ConnectionTestHost.Alice, [ConnectionTestHost.CalendarScope]);
        var token = forwarding.AccessToken(configure: t => t.DPoPThumbprint = key.Thumbprint);
        await using (var client = await DPoPClient.ConnectAsync(forwarding.Server, token, key))
        {
            Assert.Equal(connection.AccessToken, ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ConnectionTestHost.Calendar })));
        }

        await using var refusing = await ConnectionTestHost.StartAsync(o => o.DPoP.BoundTokenForwarding = DPoPBoundTokenForwarding.Refuse);
        refusing.Vault.AddUserConnection(ConnectionTestHost.Calendar, ConnectionTestHost.Alice, [ConnectionTestHost.CalendarScope]);
        var refusedToken = refusing.AccessToken(configure: t => t.DPoPThumbprint = key.Thumbprint);
        await using (var client = await DPoPClient.ConnectAsync(refusing.Server, refusedToken, key))
        {
            var text = ConnectionTestHost.ErrorText(await ConnectionTestHost.CallAsync(client, "user_token", new { appId = ConnectionTestHost.Calendar }));
            Assert.Contains("Descope:DPoP:BoundTokenForwarding is Refuse", text, StringComparison.Ordinal);
        }

        Assert.Equal(0, refusing.Vault.TokenRequestCount);
        await using var bearer = await refusing.ConnectAsync();
        ConnectionTestHost.Text(await ConnectionTestHost.CallAsync(bearer, "user_token", new { appId = ConnectionTestHost.Calendar }));
    }
}
