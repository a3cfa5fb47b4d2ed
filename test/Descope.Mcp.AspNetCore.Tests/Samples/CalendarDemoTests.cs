using System.Diagnostics;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Samples;

/// <summary>
/// <c>dotnet run --project samples/CalendarMcpServer -- --demo</c>: the whole flow, from 401 to calendar events and a
/// calendar Descope FGA refuses, exits 0.
/// </summary>
public sealed class CalendarDemoTests
{
    [Fact]
    public async Task The_demo_runs_the_whole_flow_and_exits_zero()
    {
        var start = SampleServerProcess.StartInfo(FreePort.Next(), "--demo");
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var transcript = await output + await errors;
        Assert.True(process.ExitCode == 0, transcript);
        Assert.Contains("-> 401  WWW-Authenticate: Bearer scope=\"outbound.token.fetch\"", transcript, StringComparison.Ordinal);
        Assert.Contains("[tools/call] (with bearer token) -> 403  WWW-Authenticate: Bearer error=\"insufficient_scope\"", transcript, StringComparison.Ordinal);
        Assert.Contains("[tools/call] (with bearer token) -> 200", transcript, StringComparison.Ordinal);
        Assert.Contains("POST /v1/mgmt/fga/check {\"tuples\":[{\"resource\":\"team-offsite\",\"resourceType\":\"calendar\",\"relation\":\"viewer\",\"target\":\"U2DemoUser\",\"targetType\":\"user\"}]} -> 200", transcript, StringComparison.Ordinal);
        Assert.Contains("tool error: Forbidden: the caller does not have the relation viewer on calendar 'team-offsite'.", transcript, StringComparison.Ordinal);
        Assert.Contains("""_meta["io.modelcontextprotocol/authorization"]: {"reason":"insufficient_authorization","remediation":"unavailable"}""", transcript, StringComparison.Ordinal);
        Assert.Contains("Demo succeeded", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", transcript, StringComparison.Ordinal);
    }
}
