using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// What the library's telemetry costs on the token hot path: the same validations with nothing listening and with an
/// activity listener and a meter listener attached (as an OpenTelemetry SDK would be) under a request activity.
/// </summary>
[MemoryDiagnoser]
public class TelemetryCostBenchmarks
{
    private static readonly ActivitySource Requests = new("Descope.Mcp.AspNetCore.Benchmarks.Request");

    private DescopeTestAuthority _authority = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _uncachedServices = null!;
    private IDescopeTokenValidator _validator = null!;
    private IDescopeTokenValidator _uncached = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;
    private string _token = null!;

    /// <summary>Whether an activity listener and a meter listener are attached.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Listening)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name is DescopeMcpDefaults.ActivitySourceName || source == Requests,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == DescopeMcpDefaults.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.Start();
        }

        _authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = "https://mcp.example.com/mcp"; });
        _services = Build(cache: true);
        _uncachedServices = Build(cache: false);
        _validator = _services.GetRequiredService<IDescopeTokenValidator>();
        _uncached = _uncachedServices.GetRequiredService<IDescopeTokenValidator>();
        _token = _authority.CreateToken(t => t.Scopes.Add("calendar.read"));
        if (!(await _validator.ValidateTokenAsync(_token)).IsValid || !(await _uncached.ValidateTokenAsync(_token)).IsValid)
        {
            throw new InvalidOperationException("The benchmark token must be valid.");
        }
    }

    private ServiceProvider Build(bool cache)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeTestAuthority(_authority);
        services.AddDescopeMcp(o =>
        {
            o.McpServerUrl = "https://mcp.example.com/mcp";
            o.ValidatedTokenCacheDuration = cache ? TimeSpan.FromMinutes(5) : TimeSpan.Zero;
        });
        return services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        await _services.DisposeAsync();
        await _uncachedServices.DisposeAsync();
        await _authority.DisposeAsync();
    }

    /// <summary>The request activity alone: what a traced request costs before the library does anything.</summary>
    [Benchmark(Description = "request activity only")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
    public string? RequestActivityOnly()
    {
        using var request = Requests.StartActivity("request");
        return request?.OperationName;
    }

    [Benchmark(Description = "remembered token")]
    public async Task<DescopeTokenValidationResult> Remembered()
    {
        using var request = Requests.StartActivity("request");
        return await _validator.ValidateTokenAsync(_token);
    }

    [Benchmark(Description = "full validation (warm keys)")]
    public async Task<DescopeTokenValidationResult> Validate()
    {
        using var request = Requests.StartActivity("request");
        return await _uncached.ValidateTokenAsync(_token);
    }
}
