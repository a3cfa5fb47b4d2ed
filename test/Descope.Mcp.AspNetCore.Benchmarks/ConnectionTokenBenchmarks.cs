using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// <see cref="IConnectionTokenService"/> as a tool calls it, against a local fake of Descope's token endpoint (no
/// sockets): a cache hit, and a miss that goes through the resilience pipeline, parses the answer and writes the cache.
/// </summary>
[MemoryDiagnoser]
public class ConnectionTokenBenchmarks
{
    private static readonly UserConnectionTokenRequest Hit = new() { AppId = "google-calendar", UserId = "U2Alice", Scopes = ["calendar.read"], UseManagementKey = true };
    private static readonly UserConnectionTokenRequest Miss = new() { AppId = "google-calendar", UserId = "U2Alice", Scopes = ["calendar.read"], ForceRefresh = true, UseManagementKey = true };

    private ServiceProvider _services = null!;
    private IConnectionTokenService _connections = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeMcp(options =>
        {
            options.McpServerUrl = "https://mcp.example.com/mcp";
            options.WellKnownUrl = "https://api.descope.com/v1/apps/agentic/P2Bench/MS2Bench/.well-known/openid-configuration";
            options.ManagementKey = "K2Bench"; // no request here, so the service authorizes with the management key
        });
        services.AddHttpClient(ConnectionTokenDefaults.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FakeDescope());
        _services = services.BuildServiceProvider();
        _connections = _services.GetRequiredService<IConnectionTokenService>();
        await _connections.GetUserTokenAsync(Hit);
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _services.DisposeAsync().AsTask();

    [Benchmark(Baseline = true, Description = "cache hit")]
    public Task<ConnectionToken> CacheHit() => _connections.GetUserTokenAsync(Hit);

    [Benchmark(Description = "cache miss (fake Descope)")]
    public Task<ConnectionToken> CacheMiss() => _connections.GetUserTokenAsync(Miss);

    /// <summary>Answers every request like Descope's user token endpoint, from memory.</summary>
    private sealed class FakeDescope : HttpMessageHandler
    {
        private static readonly byte[] Answer = Encoding.UTF8.GetBytes(
            """{"token":{"id":"OT1","appId":"google-calendar","userId":"U2Alice","accessToken":"ya29.bench","accessTokenType":"Bearer","accessTokenExpiry":4102444800,"hasRefreshToken":true,"scopes":["calendar.read"],"grantedBy":"user"}}""");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(Answer) { Headers = { ContentType = new("application/json") } },
            });
    }
}
