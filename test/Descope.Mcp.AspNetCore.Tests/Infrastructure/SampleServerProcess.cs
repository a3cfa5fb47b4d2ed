using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The calendar sample as a user runs it: its own process, in Development with no Descope settings, so it starts the
/// embedded test authority and prints its banner. The fixture reads the endpoints and the bearer token from that banner
/// and stops the process after the tests of one class.
/// </summary>
public sealed partial class SampleServerProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> _settings;
    private Process? _process;

    /// <summary>The sample as the README runs it.</summary>
    public SampleServerProcess()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>The sample with more configuration, as environment variables (<c>Descope__ToolAuthorizationFailureMode</c>).</summary>
    internal SampleServerProcess(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    /// <summary>The port the sample was told to listen on (<c>ASPNETCORE_URLS</c>).</summary>
    public int Port { get; private set; }

    /// <summary>The MCP endpoint, as printed.</summary>
    public Uri McpUrl { get; private set; } = null!;

    /// <summary>The embedded authority's issuer, as printed.</summary>
    public Uri AuthorityIssuer { get; private set; } = null!;

    /// <summary>The printed bearer token: the demo user with every scope the sample supports.</summary>
    public string Token { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Another test may take the free port between the look-up and the bind: then the sample exits, and we try another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnFreePortAsync();
                return;
            }
            catch (SampleExitedException) when (attempt < 3)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>
    /// How the README's first command runs the sample: built, in Development, with no Descope settings; here on a loopback
    /// port of the test's choosing (<c>ASPNETCORE_URLS</c> alone, as a user moves it; the MCP server URL follows), with
    /// the output redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(int port, params string[] arguments)
    {
        var sampleDll = typeof(CalendarMcpServer.CalendarTools).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [sampleDll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(sampleDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        return start;
    }

    private async Task StartOnFreePortAsync()
    {
        var port = FreePort.Next();
        var start = StartInfo(port);
        foreach (var (name, value) in _settings)
        {
            start.Environment[name] = value;
        }

        var banner = new Dictionary<string, string>(StringComparer.Ordinal);
        var printed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var diagnostics = new StringBuilder();
        void Keep(string? line)
        {
            lock (diagnostics)
            {
                diagnostics.AppendLine(line);
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };

        // Both streams are read to the end, so a chatty server never blocks on a full pipe. Banner lines (one holds the
        // token) stay out of the diagnostics; everything else is kept to explain a failed start.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && BannerLine().Match(e.Data) is { Success: true } line)
            {
                lock (banner)
                {
                    banner[line.Groups["label"].Value] = line.Groups["value"].Value;
                }

                if (line.Groups["label"].Value == "Bearer token (8 h)")
                {
                    printed.TrySetResult();
                }
            }
            else
            {
                Keep(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Exited += (_, _) => printed.TrySetException(new SampleExitedException());

        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await printed.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e) when (e is SampleExitedException or TimeoutException)
        {
            // Waiting for the exit also waits for the end of its output, so the error text below is complete.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
            string output;
            lock (diagnostics)
            {
                output = diagnostics.ToString();
            }

            throw e is SampleExitedException
                ? new SampleExitedException($"The sample exited before printing its token. Its output:\n{output}")
                : new TimeoutException($"The sample printed no token within {StartTimeout.TotalSeconds} s. Its output:\n{output}");
        }

        lock (banner)
        {
            Port = port;
            McpUrl = new Uri(banner["MCP endpoint"]);
            AuthorityIssuer = new Uri(banner["Authority issuer"]);
            Token = banner["Bearer token (8 h)"];
        }
    }

    /// <summary>A banner line: two spaces, a label, a colon, and one value.</summary>
    [GeneratedRegex(@"^  (?<label>[^:]+):\s*(?<value>\S+)$")]
    private static partial Regex BannerLine();

    private sealed class SampleExitedException(string message = "The sample exited.") : Exception(message);
}
