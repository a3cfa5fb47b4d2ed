using System.Globalization;
using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// Authentication through the <c>DescopeMcp</c> scheme with a remembered token: as a bearer token, and as a DPoP-bound
/// token with a fresh ES256 proof, whose checks (one signature verification, the claims, the replay cache) are the
/// difference. Proofs are made before the run, one per operation, since each is accepted once. The proof validator
/// alone (it keeps no replay state, so one proof serves every operation) and the replay cache alone (a new <c>jti</c>
/// per operation) split the difference.
/// </summary>
[MemoryDiagnoser]
public class DPoPRequestBenchmarks
{
    private const string McpUrl = DPoPBenchmarkRequests.McpUrl;
    private const int Proofs = DPoPBenchmarkRequests.Proofs;

    private DescopeTestAuthority _authority = null!;
    private ServiceProvider _services = null!;
    private IServiceScopeFactory _scopes = null!;
    private TestDPoPKey _key = null!;
    private string _bearer = null!;
    private string _dpop = null!;
    private string[] _proofs = null!;
    private int _next;
    private long _nextJti;
    private DPoPProofValidator _validator = null!;
    private DPoPReplayCache _replays = null!;
    private string _bound = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = McpUrl; });
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeTestAuthority(_authority);
        services.AddDescopeMcp(o => o.McpServerUrl = McpUrl);
        _services = services.BuildServiceProvider();
        _scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _key = TestDPoPKey.Create();
        _bearer = "Bearer " + _authority.CreateToken(t => t.Scopes.Add("calendar.read"));
        var bound = _authority.CreateToken(t => { t.Scopes.Add("calendar.read"); t.DPoPThumbprint = _key.Thumbprint; });
        _dpop = "DPoP " + bound;
        _bound = bound;
        _proofs = DPoPBenchmarkRequests.CreateProofs(_key, bound);

        _validator = new DPoPProofValidator();
        _replays = _services.GetRequiredService<DPoPReplayCache>();
        if (!await Bearer() || !await DPoP() || !ProofValidator() || !await ReplayCache())
        {
            throw new InvalidOperationException("Both benchmark requests must be authenticated.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _key.Dispose();
        await _services.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bearer token (remembered)")]
    public Task<bool> Bearer() => AuthenticateAsync(_bearer, proof: null);

    [Benchmark(Description = "DPoP-bound token (remembered) + fresh ES256 proof")]
    public Task<bool> DPoP()
    {
        // Past the pool the proofs are replays and refused; the check below makes such a run fail loudly.
        var proof = _proofs[Interlocked.Increment(ref _next) % Proofs];
        return AuthenticateAsync(_dpop, proof);
    }

    [Benchmark(Description = "proof validator alone (ES256)")]
    public bool ProofValidator()
    {
        var result = _validator.Validate(_proofs[0], new DPoPProofExpectations
        {
            Method = HttpMethods.Post,
            Url = McpUrl,
            AccessToken = _bound,
            AllowedAlgorithms = DPoPProofValidator.SupportedAlgorithms,
            IssuedAtWindow = TimeSpan.FromMinutes(5),
            Now = DateTimeOffset.UtcNow,
        });
        return result.IsValid ? true : throw new InvalidOperationException("The proof was refused: " + result.Description);
    }

    [Benchmark(Description = "replay cache alone (new jti)")]
    public async Task<bool> ReplayCache()
    {
        // Never repeated, so a run of any length stays valid; the jti's own string is part of what is measured (~50 B).
        // A lifetime of a second keeps the store in its steady state (entries expiring and swept) however fast this runs.
        var jti = Interlocked.Increment(ref _nextJti).ToString("x16", CultureInfo.InvariantCulture);
        var first = await _replays.TryUseAsync(_key.Thumbprint, jti, TimeSpan.FromSeconds(1), CancellationToken.None);
        return first ? true : throw new InvalidOperationException("A new jti was refused.");
    }

    private Task<bool> AuthenticateAsync(string authorization, string? proof) =>
        DPoPBenchmarkRequests.AuthenticateAsync(_scopes, authorization, proof);
}
