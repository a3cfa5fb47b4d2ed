using System.Net;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// The resilience pipeline of the connection token client, outermost first: total timeout, retry (exponential backoff
/// with jitter, <c>Retry-After</c> honoured when it fits in the total timeout), circuit breaker, attempt timeout.
/// </summary>
internal static class ConnectionResilience
{
    public const string PipelineName = "descope-connections";

    /// <summary>When the whole request must be done; set by the client so a <c>Retry-After</c> can be weighed against it.</summary>
    public static readonly HttpRequestOptionsKey<DateTimeOffset> DeadlineKey = new("Descope.Mcp.Connections.Deadline");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ConnectionTokenOptions options, TimeProvider time) =>
        Configure(builder, options, options.TotalTimeout, options.AttemptTimeout, time);

    /// <summary>The same pipeline with other timeouts (relation checks have their own).</summary>
    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> builder, ConnectionTokenOptions options, TimeSpan totalTimeout, TimeSpan attemptTimeout, TimeProvider time)
    {
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = totalTimeout });

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, time)),
                OnRetry = args =>
                {
                    DescopeTelemetry.ConnectionAttemptRetried(args.AttemptNumber);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsDescopeFault(args.Outcome)),
        });

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = attemptTimeout });
    }

    /// <summary>
    /// Transient outcomes are retried: Descope faults and 429. A <c>Retry-After</c> that reaches past the deadline is
    /// not waited for; the caller learns about it at once instead of after a timeout.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeProvider time)
    {
        if (!IsDescopeFault(outcome) && outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return false;
        }

        var response = outcome.Result;
        if (response?.RequestMessage is { } request
            && request.Options.TryGetValue(DeadlineKey, out var deadline)
            && RetryAfter(response, time) is { } wait)
        {
            return time.GetUtcNow() + wait < deadline;
        }

        return true;
    }

    /// <summary>
    /// What says Descope itself is in trouble: 408, 5xx (Descope's own SDKs retry 503, 520, 521, 522, 524 and 530),
    /// transport errors and attempt timeouts. 429 is about the caller, so it never opens the circuit for everyone.
    /// </summary>
    internal static bool IsDescopeFault(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode == HttpStatusCode.RequestTimeout
            || ((int)response.StatusCode >= 500 && response.StatusCode is not (HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported)),
        _ => false,
    };

    /// <summary>The <c>Retry-After</c> of a response, as a delay from now; <see langword="null"/> when absent.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
