using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Relations;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// A relation check as <c>[RequireRelation]</c> makes it once the call's resource is known, against a local fake of
/// Descope's FGA check (no sockets): a cached answer (key hashing and a HybridCache memory hit), the same through
/// <see cref="IDescopeRelations"/> with an explicit target, and a miss that goes through the resilience pipeline.
/// </summary>
[MemoryDiagnoser]
public class RelationCheckBenchmarks
{
    private static readonly RelationTuple Tuple = new()
    {
        Resource = "cal-42", ResourceType = "calendar", Relation = "viewer", Target = "U2Alice", TargetType = "user",
    };

    private ServiceProvider _cached = null!;
    private ServiceProvider _uncached = null!;
    private RelationCache _cache = null!;
    private RelationCache _noCache = null!;
    private IDescopeRelations _relations = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cached = Services(TimeSpan.FromMinutes(30));
        _uncached = Services(TimeSpan.Zero);
        _cache = _cached.GetRequiredService<RelationCache>();
        _noCache = _uncached.GetRequiredService<RelationCache>();
        _relations = _cached.GetRequiredService<IDescopeRelations>();
        await _cache.CheckAsync(Tuple, context: null, partition: "T1", CancellationToken.None);
        await _relations.CheckAsync([Tuple]);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _cached.DisposeAsync();
        await _uncached.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "cached check ([RequireRelation]'s path)")]
    public async ValueTask<bool> CachedCheck() => (await _cache.CheckAsync(Tuple, context: null, partition: "T1", CancellationToken.None)).Allowed;

    [Benchmark(Description = "cached check (IDescopeRelations, explicit target)")]
    public Task<IReadOnlyList<RelationCheckResult>> CachedServiceCheck() => _relations.CheckAsync([Tuple]);

    [Benchmark(Description = "uncached check (fake Descope)")]
    public async ValueTask<bool> UncachedCheck() => (await _noCache.CheckAsync(Tuple, context: null, partition: "T1", CancellationToken.None)).Allowed;

    private static ServiceProvider Services(TimeSpan cacheDuration)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeMcp(options =>
        {
            options.McpServerUrl = "https://mcp.example.com/mcp";
            options.WellKnownUrl = "https://api.descope.com/v1/apps/agentic/P2Bench/MS2Bench/.well-known/openid-configuration";
            options.ManagementKey = "K2Bench";
            options.Fga.CacheDuration = cacheDuration;
        });
        services.AddHttpClient(DescopeMcpDefaults.FgaHttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FakeDescope());
        return services.BuildServiceProvider();
    }

    /// <summary>Answers every check like Descope's FGA check, allowed, from memory.</summary>
    private sealed class FakeDescope : HttpMessageHandler
    {
        private static readonly byte[] Answer = Encoding.UTF8.GetBytes(
            """{"tuples":[{"allowed":true,"tuple":{"resource":"cal-42","resourceType":"calendar","relation":"viewer","target":"U2Alice","targetType":"user"},"info":{"direct":true}}]}""");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(Answer) { Headers = { ContentType = new("application/json") } },
            });
    }
}
