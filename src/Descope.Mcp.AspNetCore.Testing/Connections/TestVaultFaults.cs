namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// Switchable faults of the connection vault (or of the FGA check), to test how an MCP server copes with Descope having a
/// bad day. Faults apply to every endpoint they belong to, before the request is looked at.
/// </summary>
public sealed class TestVaultFaults
{
    private readonly Lock _gate = new();
    private readonly Queue<Fault> _next = new();
    private TaskCompletionSource? _hold;

    /// <summary>How long every answer waits before it is sent. Default: none.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Answers the next <paramref name="count"/> requests with an error status, for example 503.</summary>
    /// <param name="count">How many requests fail.</param>
    /// <param name="statusCode">The status. Default: 503.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> to send along, if any.</param>
    public void FailNext(int count, int statusCode = 503, TimeSpan? retryAfter = null) => Enqueue(count, new Fault(statusCode, retryAfter, Drop: false, null, null));

    /// <summary>Answers the next <paramref name="count"/> requests with 429 and a <c>Retry-After</c>.</summary>
    /// <param name="count">How many requests are rate limited.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> to send (whole seconds).</param>
    public void RateLimitNext(int count, TimeSpan retryAfter) => FailNext(count, 429, retryAfter);

    /// <summary>Drops the connection of the next <paramref name="count"/> requests without an answer (a transport error).</summary>
    /// <param name="count">How many requests are dropped.</param>
    public void DropNext(int count) => Enqueue(count, new Fault(0, null, Drop: true, null, null));

    /// <summary>Answers the next <paramref name="count"/> requests normally, but only after <paramref name="delay"/>.</summary>
    /// <param name="count">How many requests are slow.</param>
    /// <param name="delay">How long each waits.</param>
    public void SlowNext(int count, TimeSpan delay) => Enqueue(count, new Fault(0, null, Drop: false, delay, null));

    /// <summary>Answers the next <paramref name="count"/> requests with a 307 redirect to <paramref name="location"/>.</summary>
    /// <param name="count">How many requests are redirected.</param>
    /// <param name="location">Where the redirect points, for example a server that records what it receives.</param>
    public void RedirectNext(int count, Uri location) => Enqueue(count, new Fault(307, null, Drop: false, null, location));

    /// <summary>Holds every answer until <see cref="Release"/>, so that tests can pile up concurrent requests.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held answers (and later ones) go.</summary>
    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>Clears every fault and releases held answers.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _next.Clear();
        }

        Delay = TimeSpan.Zero;
        Release();
    }

    internal async Task<Fault?> ApplyAsync(CancellationToken cancellationToken)
    {
        Task? hold;
        Fault? fault = null;
        lock (_gate)
        {
            hold = _hold?.Task;
            if (_next.Count > 0)
            {
                fault = _next.Dequeue();
            }
        }

        var delay = fault?.Delay ?? Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (hold is not null)
        {
            await hold.WaitAsync(cancellationToken);
        }

        return fault is { Delay: not null } ? null : fault;
    }

    private void Enqueue(int count, Fault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _next.Enqueue(fault);
            }
        }
    }

    internal sealed record Fault(int StatusCode, TimeSpan? RetryAfter, bool Drop, TimeSpan? Delay, Uri? Location);
}
