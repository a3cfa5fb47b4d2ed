using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Descope.Mcp.AspNetCore.Authentication.DPoP;

/// <summary>
/// The authority on a proof's first use across instances when the app gives the library Redis: one atomic
/// <c>SET key 1 NX</c> per proof, expiring after the proof's lifetime, so of two instances that receive the same proof at
/// the same moment exactly one accepts it. The connection is <see cref="DPoPOptions.ReplayRedis"/> when it is set (a multiplexer of its own,
/// connecting as soon as this is made and reconnecting by itself), else an <see cref="IConnectionMultiplexer"/> the app
/// registered. When Redis does not answer, the proof is refused (<see cref="DPoPProofFailure.ReplayCheckUnavailable"/>):
/// it cannot be shown unused, and accepting it would reopen the replay this store exists to close.
/// </summary>
internal sealed class DPoPReplayRedis : IAsyncDisposable, IDisposable
{
    private static readonly RedisValue UsedMarker = 1;

    private readonly IConnectionMultiplexer? _shared;
    private readonly ConfigurationOptions? _configuration;
    private readonly Lock _connectLock = new();
    private readonly RepeatedEventLog _failures;
    private readonly ILogger _logger;
    private Task<ConnectionMultiplexer>? _connecting;
    private int _disposed;

    public DPoPReplayRedis(IOptions<DescopeMcpOptions> options, IServiceProvider services, TimeProvider time, ILogger<DPoPReplayRedis> logger)
    {
        _logger = logger;
        _failures = new RepeatedEventLog(1, DescopeTelemetry.DPoPRefusalLogInterval, time, (_, count) =>
            AuthenticationLog.DPoPReplayRedisFailedAgain(_logger, count, (int)DescopeTelemetry.DPoPRefusalLogInterval.TotalSeconds));
        // The explicit setting wins over the app's multiplexer; an unparseable one is refused at startup
        // (DescopeMcpOptionsValidator).
        var configuration = options.Value.DPoP.ReplayRedis;
        if (!string.IsNullOrEmpty(configuration))
        {
            if (Parse(configuration) is { } parsed)
            {
                _configuration = parsed;
                _connecting = ConnectAsync(parsed);
            }
        }
        else
        {
            _shared = services.GetService<IConnectionMultiplexer>();
        }
    }

    /// <summary>Whether the app gave the library a Redis connection; when it did not, this is never asked.</summary>
    public bool IsConfigured => _configuration is not null || _shared is not null;

    /// <summary>
    /// The configuration of <see cref="DPoPOptions.ReplayRedis"/>, or <see langword="null"/> when it is not a
    /// StackExchange.Redis configuration string naming at least one endpoint.
    /// </summary>
    public static ConfigurationOptions? Parse(string configuration)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (parsed.EndPoints.Count == 0)
        {
            return null;
        }

        // The multiplexer lives as long as the app and must come back by itself after Redis was away, at startup too;
        // while it is away, a proof is refused at once rather than queued until it times out.
        parsed.AbortOnConnectFail = false;
        parsed.BacklogPolicy = BacklogPolicy.FailFast;
        return parsed;
    }

    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="lifetime"/>: <see cref="DPoPProofFailure.None"/> when this call
    /// set it, <see cref="DPoPProofFailure.Replayed"/> when it was set before (by any instance),
    /// <see cref="DPoPProofFailure.ReplayCheckUnavailable"/> when Redis did not answer.
    /// </summary>
    public async ValueTask<DPoPProofFailure> ClaimAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        try
        {
            var redis = _shared ?? await Connection().WaitAsync(cancellationToken);
            if (!redis.IsConnected)
            {
                Failed(exception: null);
                return DPoPProofFailure.ReplayCheckUnavailable;
            }

            return await redis.GetDatabase().StringSetAsync(key, UsedMarker, lifetime, When.NotExists)
                ? DPoPProofFailure.None
                : DPoPProofFailure.Replayed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(ex);
            return DPoPProofFailure.ReplayCheckUnavailable;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _failures.Dispose();
        if (_connecting is { } connecting)
        {
            try
            {
                await (await connecting).DisposeAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // It never connected: nothing to close.
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _failures.Dispose();
        if (_connecting is { IsCompletedSuccessfully: true } connecting)
        {
            connecting.Result.Dispose();
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
        Task.Run(() => ConnectionMultiplexer.ConnectAsync(configuration));

    /// <summary>The library's own multiplexer; a connection attempt that failed outright is made again by the next caller.</summary>
    private Task<ConnectionMultiplexer> Connection()
    {
        var connecting = Volatile.Read(ref _connecting)!;
        if (!connecting.IsFaulted)
        {
            return connecting;
        }

        lock (_connectLock)
        {
            if (_connecting!.IsFaulted)
            {
                _connecting = ConnectAsync(_configuration!);
            }

            return _connecting;
        }
    }

    private void Failed(Exception? exception)
    {
        if (_failures.ShouldLog(0))
        {
            AuthenticationLog.DPoPReplayRedisFailed(_logger, exception);
        }
    }
}
