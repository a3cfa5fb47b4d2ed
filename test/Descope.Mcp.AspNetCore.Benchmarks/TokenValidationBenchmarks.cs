using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// The authentication hot path: a Descope access token validated in full with warm signing keys, and the same token
/// found in the validated-token cache, as a client's later requests with it are.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private DescopeTestAuthority _authority = null!;
    private ServiceProvider _services = null!;
    private IDescopeTokenValidator _validator = null!;
    private IDescopeTokenValidator _uncached = null!;
    private ServiceProvider _uncachedServices = null!;
    private string _token = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = "https://mcp.example.com/mcp"; });
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeTestAuthority(_authority);
        services.AddDescopeMcp(o => o.McpServerUrl = "https://mcp.example.com/mcp");
        _services = services.BuildServiceProvider();
        _validator = _services.GetRequiredService<IDescopeTokenValidator>();
        var uncached = new ServiceCollection().AddLogging();
        uncached.AddDescopeTestAuthority(_authority);
        uncached.AddDescopeMcp(o => { o.McpServerUrl = "https://mcp.example.com/mcp"; o.ValidatedTokenCacheDuration = TimeSpan.Zero; });
        _uncachedServices = uncached.BuildServiceProvider();
        _uncached = _uncachedServices.GetRequiredService<IDescopeTokenValidator>();
        _token = _authority.CreateToken(t =>
        {
            t.Scopes.Add("calendar.read");
            t.Scopes.Add("outbound.token.fetch");
            t.Claims["azp"] = "client-1";
            t.Claims["dct"] = "T2Acme";
            t.Claims["tenants"] = new Dictionary<string, object> { ["T2Acme"] = new Dictionary<string, string[]> { ["roles"] = ["admin"] } };
        });
        if (!(await _validator.ValidateTokenAsync(_token)).IsValid || !(await _uncached.ValidateTokenAsync(_token)).IsValid)
        {
            throw new InvalidOperationException("The benchmark token must be valid.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _uncachedServices.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "full validation (warm keys)")]
    public Task<DescopeTokenValidationResult> Validate() => _uncached.ValidateTokenAsync(_token);

    [Benchmark(Description = "remembered token")]
    public Task<DescopeTokenValidationResult> Remembered() => _validator.ValidateTokenAsync(_token);
}
