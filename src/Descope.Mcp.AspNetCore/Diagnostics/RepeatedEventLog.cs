namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// Bounds the log lines of an event anyone can cause without a credential. Per kind (a refusal's reason, for example),
/// the first occurrence in an interval is logged at once; later ones in the same interval are only counted, and their
/// count is written in one summary when the interval ends. Every occurrence is either logged or counted in exactly one
/// summary. Counting takes no lock and allocates nothing; a timer of the given <see cref="TimeProvider"/>, armed only
/// while a count waits, writes the summaries, and disposing writes those still waiting.
/// </summary>
internal sealed class RepeatedEventLog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _interval;
    private readonly Action<int, int> _summarize;

    // Per kind: when its current interval ends (a TimeProvider timestamp), and how many occurrences it counted since the
    // last summary.
    private readonly long[] _ends;
    private readonly int[] _counts;
    private readonly ITimer _timer;
    private int _armed;
    private int _disposed;

    /// <param name="kinds">The kinds, numbered from 0.</param>
    /// <param name="interval">How long the occurrences after the first are counted before their summary.</param>
    /// <param name="time">The clock and the timer.</param>
    /// <param name="summarize">Writes the summary of a kind: the kind and how many occurrences were counted, at least 1.</param>
    public RepeatedEventLog(int kinds, TimeSpan interval, TimeProvider time, Action<int, int> summarize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kinds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _time = time;
        Interval = interval;
        _interval = (long)(interval.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
        _summarize = summarize;
        _ends = new long[kinds];
        Array.Fill(_ends, long.MinValue);
        _counts = new int[kinds];
        _timer = time.CreateTimer(static state => ((RepeatedEventLog)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How long the occurrences after the first are counted before their summary.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// Records one occurrence of <paramref name="kind"/>: <see langword="true"/> when the caller is to log it now (the
    /// first of its kind in an interval), <see langword="false"/> when it was counted for the interval's summary.
    /// </summary>
    public bool ShouldLog(int kind)
    {
        var now = _time.GetTimestamp();
        var end = Volatile.Read(ref _ends[kind]);
        if (now >= end && Interlocked.CompareExchange(ref _ends[kind], now + _interval, end) == end)
        {
            // A new interval: the count of the last one, if the timer has not written it yet, comes first.
            Summarize(kind);
            return true;
        }

        Interlocked.Increment(ref _counts[kind]);
        if (Volatile.Read(ref _armed) == 0)
        {
            // When this kind's interval ends, so the summary covers it and no more.
            var due = _time.GetElapsedTime(now, Volatile.Read(ref _ends[kind]));
            Arm(due > TimeSpan.Zero ? due : TimeSpan.Zero);
        }

        return false;
    }

    /// <summary>Stops the timer and writes the summaries still waiting.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        for (var kind = 0; kind < _counts.Length; kind++)
        {
            Summarize(kind);
        }
    }

    private void OnTimer()
    {
        // Disarmed before the counts are read: a count added after this re-arms the timer.
        Volatile.Write(ref _armed, 0);
        var now = _time.GetTimestamp();
        var next = long.MaxValue;
        for (var kind = 0; kind < _counts.Length; kind++)
        {
            if (Volatile.Read(ref _counts[kind]) == 0)
            {
                continue;
            }

            var end = Volatile.Read(ref _ends[kind]);
            if (now >= end)
            {
                Summarize(kind);
            }
            else
            {
                next = Math.Min(next, end);
            }
        }

        if (next != long.MaxValue)
        {
            Arm(_time.GetElapsedTime(now, next));
        }
    }

    private void Arm(TimeSpan due)
    {
        if (Interlocked.CompareExchange(ref _armed, 1, 0) != 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: Dispose writes what is waiting.
        }
    }

    private void Summarize(int kind)
    {
        var count = Interlocked.Exchange(ref _counts[kind], 0);
        if (count > 0)
        {
            _summarize(kind, count);
        }
    }
}
