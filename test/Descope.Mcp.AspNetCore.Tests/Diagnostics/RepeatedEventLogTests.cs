using System.Collections.Concurrent;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// The limiter of repeated log lines: the first of a kind in an interval is logged, the rest are counted and summed up in
/// one summary when the interval ends, every occurrence is accounted for exactly once, and counting allocates nothing.
/// </summary>
public sealed class RepeatedEventLogTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ConcurrentQueue<(int Kind, int Count)> _summaries = new();
    private readonly RepeatedEventLog _log;

    public RepeatedEventLogTests() => _log = new RepeatedEventLog(3, Interval, _time, (kind, count) => _summaries.Enqueue((kind, count)));

    public void Dispose() => _log.Dispose();

    [Fact]
    public void The_first_occurrence_is_logged_and_the_rest_are_summed_up_once_when_the_interval_ends()
    {
        Assert.True(_log.ShouldLog(0));
        for (var i = 0; i < 49; i++)
        {
            Assert.False(_log.ShouldLog(0));
        }

        _time.Advance(Interval - TimeSpan.FromTicks(1));
        Assert.Empty(_summaries);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal([(0, 49)], _summaries);

        _time.Advance(Interval * 3);
        Assert.Single(_summaries);
    }

    [Fact]
    public void The_summary_is_written_when_the_interval_of_the_first_occurrence_ends_however_late_the_others_came()
    {
        Assert.True(_log.ShouldLog(1));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(_log.ShouldLog(1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(1, 1)], _summaries);
    }

    [Fact]
    public void Kinds_are_limited_apart_and_a_kind_is_logged_again_once_its_interval_ended()
    {
        Assert.True(_log.ShouldLog(0));
        Assert.True(_log.ShouldLog(1));
        Assert.False(_log.ShouldLog(0));
        Assert.True(_log.ShouldLog(2));

        _time.Advance(Interval);
        Assert.Equal([(0, 1)], _summaries);

        Assert.True(_log.ShouldLog(0));
        Assert.False(_log.ShouldLog(0));
        Assert.True(_log.ShouldLog(1));
    }

    [Fact]
    public void A_kind_whose_interval_ends_later_gets_its_summary_when_it_ends()
    {
        Assert.True(_log.ShouldLog(0));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_log.ShouldLog(0));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(_log.ShouldLog(1));
        Assert.False(_log.ShouldLog(1));

        // Kind 0's interval ended at 10 s, kind 1's ends at 15 s.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([(0, 1)], _summaries);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal([(0, 1), (1, 1)], _summaries);
    }

    [Fact]
    public void The_first_occurrence_of_a_new_interval_writes_the_summary_of_the_last_one_before_it_is_logged()
    {
        var lines = new List<string>();
        using var log = new RepeatedEventLog(1, Interval, new StoppedTimers(_time), (_, count) => lines.Add("summary " + count));

        for (var i = 0; i < 3; i++)
        {
            if (log.ShouldLog(0))
            {
                lines.Add("first");
            }
        }

        _time.Advance(Interval);
        if (log.ShouldLog(0))
        {
            lines.Add("first");
        }

        Assert.Equal(["first", "summary 2", "first"], lines);
    }

    [Fact]
    public async Task Concurrent_occurrences_are_each_logged_or_counted_exactly_once()
    {
        const int Threads = 4;
        const int PerThread = 25_000;
        var logged = 0;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                if (_log.ShouldLog(0))
                {
                    Interlocked.Increment(ref logged);
                }
            }
        })));
        _time.Advance(Interval);

        Assert.Equal(1, logged);
        Assert.Equal([(0, (Threads * PerThread) - 1)], _summaries);
    }

    [Fact]
    public void Counting_an_occurrence_allocates_nothing()
    {
        Assert.True(_log.ShouldLog(0));
        Assert.False(_log.ShouldLog(0));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _log.ShouldLog(0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Disposing_writes_the_summaries_still_waiting_and_later_occurrences_do_not_throw()
    {
        Assert.True(_log.ShouldLog(2));
        Assert.False(_log.ShouldLog(2));
        Assert.False(_log.ShouldLog(2));

        _log.Dispose();
        Assert.Equal([(2, 2)], _summaries);

        Assert.False(_log.ShouldLog(2));
        _log.Dispose();
        Assert.Single(_summaries);
    }

    /// <summary>The clock of a <see cref="FakeTimeProvider"/> whose timers never fire.</summary>
    private sealed class StoppedTimers(FakeTimeProvider time) : TimeProvider
    {
        public override long TimestampFrequency => time.TimestampFrequency;

        public override long GetTimestamp() => time.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Stopped();

        private sealed class Stopped : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
