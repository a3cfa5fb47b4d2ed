using System.Diagnostics.Metrics;
using System.Net;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// A refused DPoP proof needs no credential, so refusals cannot buy a log line each: the first of a reason in 10 s is an
/// audit event at once, the rest are summed up in one event per reason when the 10 s end, and the meter counts every one.
/// </summary>
public sealed class DPoPRefusalLogTests
{
    [Fact]
    public async Task Seventy_refused_proofs_write_one_line_per_reason_and_a_summary_with_the_count_when_the_interval_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new RecordingLoggerProvider();
        await using var authority = await DescopeTestAuthority.StartAsync();
        await using var server = await ProtectedMcpServer.StartAsync(authority, services: s =>
        {
            s.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            s.AddSingleton<TimeProvider>(time);
        });
        using var proofs = new MetricCollector<long>(server.Services.GetRequiredService<IMeterFactory>(), DescopeMcpDefaults.MeterName, "descope.mcp.dpop.proofs");
        using var key = TestDPoPKey.Create(timeProvider: time);
        using var other = TestDPoPKey.Create(timeProvider: time);
        var token = authority.CreateToken(t => t.DPoPThumbprint = key.Thumbprint);
        var libraryLinesBefore = LibraryLines(logs).Count;

        for (var i = 0; i < 50; i++)
        {
            await SendAsync(key.CreateProof("POST", server.McpUrl, token, configure: p => p.SignWith = other), HttpStatusCode.Unauthorized);
        }

        var proof = key.CreateProof("POST", server.McpUrl, token);
        await SendAsync(proof, HttpStatusCode.OK);
        for (var i = 0; i < 20; i++)
        {
            await SendAsync(proof, HttpStatusCode.Unauthorized);
        }

        // Every proof on the meter; two lines in all from the library for seventy refusals.
        Assert.Equal(
            [("invalid_signature", 50), ("replayed", 20), ("valid", 1)],
            proofs.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["descope.outcome"]!).Select(g => (g.Key, g.Count())).Order());
        Assert.Equal(
            ["DPoP proof refused: invalid_signature.", "DPoP proof refused: replayed."],
            Audit(logs).Select(e => e.Message).Order());
        Assert.Equal(libraryLinesBefore + 2, LibraryLines(logs).Count);

        time.Advance(DescopeTelemetry.DPoPRefusalLogInterval);

        var summaries = Audit(logs).Where(e => e.EventId.Name == "DPoPProofsRefused").ToList();
        Assert.Equal(
            ["19 further DPoP proofs refused for reason replayed in the last 10 s.", "49 further DPoP proofs refused for reason invalid_signature in the last 10 s."],
            summaries.Select(e => e.Message).Order());
        Assert.All(summaries, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Equal(70, Audit(logs).Count(e => e.EventId.Name == "DPoPProofRefused") + summaries.Sum(e => (int)e.Values["Count"]!));

        // A new interval: the next refusal is logged at once again.
        await SendAsync(key.CreateProof("POST", server.McpUrl, token, configure: p => p.SignWith = other), HttpStatusCode.Unauthorized);
        Assert.Equal(2, Audit(logs).Count(e => e.Message == "DPoP proof refused: invalid_signature."));

        async Task SendAsync(string dpopProof, HttpStatusCode expected)
        {
            using var response = await server.Http.SendAsync(DPoPClient.McpRequest(server, token, dpopProof));
            Assert.Equal(expected, response.StatusCode);
        }
    }

    private static List<LogEntry> Audit(RecordingLoggerProvider logs) =>
        [.. logs.Entries.Where(e => e.Category == DescopeMcpDefaults.AuditLogCategory && e.AllText.Contains("DPoP", StringComparison.Ordinal))];

    private static List<LogEntry> LibraryLines(RecordingLoggerProvider logs) =>
        [.. logs.Entries.Where(e => e.Category.StartsWith("Descope.Mcp.AspNetCore", StringComparison.Ordinal))];
}
