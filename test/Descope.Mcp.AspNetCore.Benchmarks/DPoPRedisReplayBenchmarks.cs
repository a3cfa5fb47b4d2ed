using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// What claiming each DPoP proof in Redis (<c>Descope:DPoP:ReplayRedis</c>, one <c>SET NX</c>) costs a request: the same
/// DPoP-bound request (a remembered token and a fresh ES256 proof) with the replay store in-process only and with Redis,
/// and the replay store alone both ways. Redis is a <c>redis-server</c> this benchmark starts on a free loopback port, on
/// the same machine. Both stores see the same proofs, each once.
/// </summary>
[MemoryDiagnoser]
public class DPoPRedisReplayBenchmarks
{
    private const string McpUrl = DPoPBenchmarkRequests.McpUrl;
    private const int Proofs = DPoPBenchmarkRequests.Proofs;

    private Process _redis = null!;
    private DescopeTestAuthority _authority = null!;
    private ServiceProvider _local = null!;
    private ServiceProvider _shared = null!;
    private TestDPoPKey _key = null!;
    private string _dpop = null!;
    private string[] _proofs = null!;
    private int _nextLocal;
    private int _nextShared;
    private long _nextJti;
    private DPoPReplayCache _localReplays = null!;
    private DPoPReplayCache _sharedReplays = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var port = await StartRedisAsync();
        _authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = McpUrl; });
        _local = Services(replayRedis: null);
        _shared = Services($"127.0.0.1:{port}");
        _key = TestDPoPKey.Create();
        var bound = _authority.CreateToken(t => { t.Scopes.Add("calendar.read"); t.DPoPThumbprint = _key.Thumbprint; });
        _dpop = "DPoP " + bound;
        _proofs = DPoPBenchmarkRequests.CreateProofs(_key, bound);

        _localReplays = _local.GetRequiredService<DPoPReplayCache>();
        _sharedReplays = _shared.GetRequiredService<DPoPReplayCache>();
        if (!_sharedReplays.UsesRedis || _localReplays.UsesRedis)
        {
            throw new InvalidOperationException("One store must use Redis and the other not.");
        }

        if (!await InProcess() || !await Redis() || !await ReplayCacheInProcess() || !await ReplayCacheRedis())
        {
            throw new InvalidOperationException("Every benchmark request must be authenticated.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _key.Dispose();
        await _local.DisposeAsync();
        await _shared.DisposeAsync();
        await _authority.DisposeAsync();
        _redis.Kill();
        await _redis.WaitForExitAsync();
        _redis.Dispose();
    }

    [Benchmark(Baseline = true, Description = "DPoP request, replay store in-process only")]
    public Task<bool> InProcess() => AuthenticateAsync(_local, _proofs[Interlocked.Increment(ref _nextLocal) % Proofs]);

    [Benchmark(Description = "DPoP request, proof claimed in Redis (SET NX, loopback)")]
    public Task<bool> Redis() => AuthenticateAsync(_shared, _proofs[Interlocked.Increment(ref _nextShared) % Proofs]);

    [Benchmark(Description = "replay store alone, in-process (new jti)")]
    public Task<bool> ReplayCacheInProcess() => UseAsync(_localReplays);

    [Benchmark(Description = "replay store alone, Redis SET NX (new jti)")]
    public Task<bool> ReplayCacheRedis() => UseAsync(_sharedReplays);

    private async Task<bool> UseAsync(DPoPReplayCache replays)
    {
        // A new jti each time, as in DPoPRequestBenchmarks (~50 B of the allocation is its string).
        var jti = Interlocked.Increment(ref _nextJti).ToString("x16", CultureInfo.InvariantCulture);
        var use = await replays.UseAsync(_key.Thumbprint, jti, TimeSpan.FromSeconds(1), CancellationToken.None);
        return use == DPoPProofFailure.None ? true : throw new InvalidOperationException("A new jti was refused: " + use);
    }

    private ServiceProvider Services(string? replayRedis)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeTestAuthority(_authority);
        services.AddDescopeMcp(o =>
        {
            o.McpServerUrl = McpUrl;
            o.DPoP.ReplayRedis = replayRedis;
        });
        return services.BuildServiceProvider();
    }

    private Task<bool> AuthenticateAsync(ServiceProvider services, string proof) =>
        DPoPBenchmarkRequests.AuthenticateAsync(services.GetRequiredService<IServiceScopeFactory>(), _dpop, proof);

    /// <summary>Starts <c>redis-server</c> (Debian's package) on a free loopback port, without persistence.</summary>
    private async Task<int> StartRedisAsync()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        _redis = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start; install it with 'apt-get install -y redis-server'.");
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }
}
