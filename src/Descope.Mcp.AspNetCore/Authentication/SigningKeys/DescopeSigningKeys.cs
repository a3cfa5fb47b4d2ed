using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Descope.Mcp.AspNetCore.Authentication.SigningKeys;

/// <summary>
/// The project's discovery document and signing keys. Loaded on first use and again every
/// <see cref="DescopeMcpOptions.AutomaticKeyRefreshInterval"/>; reloaded at once, but at most once per
/// <see cref="DescopeMcpOptions.KeyRefreshInterval"/>, when a token names a key it does not know. One load runs at a
/// time and concurrent callers share it; a scheduled reload runs in the background and holds up no request. A failed
/// reload keeps the last good keys.
/// </summary>
/// <remarks>
/// IdentityModel's ConfigurationManager refreshes in the background after a refresh request, so the token that revealed
/// a rotation would still fail; this type makes the caller wait for the one reload instead.
/// </remarks>
internal sealed class DescopeSigningKeys : IDisposable
{
    /// <summary>While the authority has never answered, retry at most this often.</summary>
    private static readonly TimeSpan ColdStartRetryInterval = TimeSpan.FromSeconds(1);

    private readonly string _discoveryUrl;
    private readonly DescopeDocumentRetriever _retriever;
    private readonly DescopeMcpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DescopeSigningKeys> _logger;
    private readonly DescopeTelemetry _telemetry;
    private readonly SemaphoreSlim _loadGate = new(1, 1);

    private volatile Snapshot? _current;
    private long _nextAutomaticLoadTicks;
    private int _scheduledReloadRunning;
    private int _loads;
    private DateTimeOffset _nextOnDemandLoad;
    private Exception? _lastFailure;
    private volatile SigningKeysState _state = SigningKeysState.NeverLoaded;

    public DescopeSigningKeys(
        DescopeProject project,
        IHttpClientFactory httpClientFactory,
        IOptions<DescopeMcpOptions> options,
        TimeProvider time,
        DescopeTelemetry telemetry,
        ILogger<DescopeSigningKeys> logger)
    {
        _discoveryUrl = project.DiscoveryUrl.AbsoluteUri;
        _options = options.Value;
        _retriever = new DescopeDocumentRetriever(httpClientFactory, _options.BackchannelTimeout);
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>How many times the keys were loaded successfully (for diagnostics and tests).</summary>
    internal int Loads => Volatile.Read(ref _loads);

    /// <summary>What was loaded and when, read without waiting: for health checks, never a call to the authority.</summary>
    public SigningKeysState State => _state;

    /// <summary>The current configuration; throws when none was ever loaded and the authority cannot be reached.</summary>
    public async ValueTask<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken) =>
        TryGetLoaded() ?? await LoadAsync(null, onDemand: false, cancellationToken);

    /// <summary>
    /// The keys already loaded, without waiting for anything, or <see langword="null"/> before the first load. When a
    /// scheduled reload is due it starts one in the background: with keys in hand, no request waits for the authority.
    /// </summary>
    public OpenIdConnectConfiguration? TryGetLoaded() => TryGetLoaded(_time.GetUtcNow());

    /// <inheritdoc cref="TryGetLoaded()"/>
    /// <param name="now">The current time, for a caller that has just read the clock.</param>
    public OpenIdConnectConfiguration? TryGetLoaded(DateTimeOffset now)
    {
        var current = _current;
        if (current is null)
        {
            return null;
        }

        if (now.UtcTicks >= Volatile.Read(ref _nextAutomaticLoadTicks)
            && Interlocked.CompareExchange(ref _scheduledReloadRunning, 1, 0) == 0)
        {
            _ = ReloadInBackgroundAsync(current);
        }

        return current.Configuration;
    }

    private async Task ReloadInBackgroundAsync(Snapshot seen)
    {
        try
        {
            await Task.Yield();
            await LoadAsync(seen, onDemand: false, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // LoadAsync keeps the good keys and logs a failed reload itself; this only guards the unobserved task.
            AuthenticationLog.SigningKeysRefreshFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _scheduledReloadRunning, 0);
        }
    }

    /// <summary>
    /// Reloads because a token named an unknown key, unless another caller already replaced <paramref name="seen"/> or the
    /// on-demand interval has not passed. Returns the configuration to retry with.
    /// </summary>
    public async ValueTask<OpenIdConnectConfiguration> RefreshForUnknownKeyAsync(OpenIdConnectConfiguration seen, CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && !ReferenceEquals(current.Configuration, seen))
        {
            return current.Configuration;
        }

        return await LoadAsync(current, onDemand: true, cancellationToken);
    }

    private async Task<OpenIdConnectConfiguration> LoadAsync(Snapshot? seen, bool onDemand, CancellationToken cancellationToken)
    {
        await _loadGate.WaitAsync(cancellationToken);
        try
        {
            var current = _current;
            if (current is not null && !ReferenceEquals(current, seen))
            {
                return current.Configuration;
            }

            var now = _time.GetUtcNow();
            if (current is not null && (onDemand ? now < _nextOnDemandLoad : now < _nextAutomaticLoad))
            {
                return current.Configuration;
            }

            if (current is null && _lastFailure is not null && now < _nextAutomaticLoad)
            {
                throw new InvalidOperationException("The Descope signing keys are unavailable.", _lastFailure);
            }

            using var activity = DescopeTelemetry.StartSigningKeysLoad(onDemand);
            try
            {
                var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(_discoveryUrl, _retriever, cancellationToken);
                _telemetry.SigningKeysLoaded(activity, failure: null);
                _current = new Snapshot(configuration);
                _state = new SigningKeysState(now, FailedLoadsSinceLastLoad: 0, LastFailureAt: null);
                Interlocked.Increment(ref _loads);
                _lastFailure = null;
                _nextAutomaticLoad = now + _options.AutomaticKeyRefreshInterval;
                if (onDemand)
                {
                    // Only on-demand loads count against the on-demand budget, so the first rotation after a
                    // scheduled load is picked up at once.
                    _nextOnDemandLoad = now + _options.KeyRefreshInterval;
                    AuthenticationLog.SigningKeysRefreshed(_logger);
                }

                return configuration;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _telemetry.SigningKeysLoaded(activity, ex);
                _lastFailure = ex;
                _state = _state with { FailedLoadsSinceLastLoad = _state.FailedLoadsSinceLastLoad + 1, LastFailureAt = now };
                if (current is null)
                {
                    _nextAutomaticLoad = now + ColdStartRetryInterval;
                    throw;
                }

                // Keep the good keys; try again after the on-demand interval rather than on every request.
                AuthenticationLog.SigningKeysRefreshFailed(_logger, ex);
                _nextAutomaticLoad = now + _options.KeyRefreshInterval;
                _nextOnDemandLoad = now + _options.KeyRefreshInterval;
                return current.Configuration;
            }
        }
        finally
        {
            _loadGate.Release();
        }
    }

    public void Dispose() => _loadGate.Dispose();

    // Read without the gate on the hot path, so stored as ticks that are read and written whole.
    private DateTimeOffset _nextAutomaticLoad
    {
        get => new(Volatile.Read(ref _nextAutomaticLoadTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _nextAutomaticLoadTicks, value.UtcTicks);
    }

    private sealed record Snapshot(OpenIdConnectConfiguration Configuration);
}

/// <summary>A read-only view of <see cref="DescopeSigningKeys"/>: when the keys last loaded and how loads failed since.</summary>
/// <param name="LoadedAt">When the keys in use were loaded; <see langword="null"/> while they have never loaded.</param>
/// <param name="FailedLoadsSinceLastLoad">Failed loads since the last good one (or since the start).</param>
/// <param name="LastFailureAt">When the last load failed, if one did since the last good one.</param>
internal sealed record SigningKeysState(DateTimeOffset? LoadedAt, int FailedLoadsSinceLastLoad, DateTimeOffset? LastFailureAt)
{
    public static readonly SigningKeysState NeverLoaded = new(null, 0, null);

    public bool Loaded => LoadedAt is not null;
}
