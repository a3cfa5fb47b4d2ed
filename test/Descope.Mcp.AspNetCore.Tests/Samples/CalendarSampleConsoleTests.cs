using System.Diagnostics;
using System.Net;
using System.Text;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Samples;

/// <summary>
/// What the sample writes to its console, from start to a graceful stop: the banner and the log, and traces and metrics
/// only when <c>Observability:Console</c> asks for them, so nothing scrolls the banner away by default.
/// </summary>
public sealed class CalendarSampleConsoleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task By_default_the_console_shows_the_banner_and_no_telemetry()
    {
        var output = await RunServeAndStopAsync(new Dictionary<string, string>());

        Assert.Contains("Bearer token (8 h):", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Activity.TraceId:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Metric Name:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observability_Console_writes_traces_to_the_console()
    {
        var output = await RunServeAndStopAsync(new Dictionary<string, string> { ["Observability__Console"] = "true" });

        Assert.Contains("Bearer token (8 h):", output, StringComparison.Ordinal);
        Assert.Contains("Activity.TraceId:", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the sample as the README does, waits for its banner, sends it two requests, stops it as Ctrl+C or a
    /// container stop would (SIGTERM, so the exporters flush), and returns everything it wrote.
    /// </summary>
    private static async Task<string> RunServeAndStopAsync(IReadOnlyDictionary<string, string> settings)
    {
        // Another test may take the free port between the look-up and the bind: then the sample exits, and we try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var start = SampleServerProcess.StartInfo(port);
            foreach (var (name, value) in settings)
            {
                start.Environment[name] = value;
            }

            var output = new StringBuilder();
            var banner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            void Keep(string? line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }

                if (line?.Contains("Bearer token (8 h):", StringComparison.Ordinal) == true)
                {
                    banner.TrySetResult();
                }
            }

            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.Exited += (_, _) => banner.TrySetException(new InvalidOperationException("The sample exited before printing its banner."));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                try
                {
                    await banner.Task.WaitAsync(Timeout);
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    continue;
                }

                using (var http = new HttpClient())
                {
                    Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp")).StatusCode);
                    Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync($"http://127.0.0.1:{port}/mcp", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
                }

                using (var terminate = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await terminate.WaitForExitAsync();
                }

                // Waiting for the exit also waits for the end of its output.
                await process.WaitForExitAsync().WaitAsync(Timeout);
                lock (output)
                {
                    return output.ToString();
                }
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
        }
    }
}
