using System.IO.Pipelines;
using Descope.Mcp.AspNetCore.Elicitation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Elicitation;

/// <summary>
/// The pending URL elicitation completions are bounded per caller and in all: a caller's next registration replaces its
/// own oldest, so one caller can never take the capacity everyone shares; expiry frees capacity.
/// </summary>
public sealed class UrlElicitationCompletionsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly UrlElicitationCompletions _completions;
    private readonly McpServer _session;
    private readonly Pipe _pipe = new();

    public UrlElicitationCompletionsTests()
    {
        _completions = new UrlElicitationCompletions(Options.Create(new DescopeMcpOptions { McpServerUrl = "https://mcp.example.com/mcp" }), _time);
        _session = McpServer.Create(new StreamServerTransport(_pipe.Reader.AsStream(), Stream.Null), new McpServerOptions());
    }

    public void Dispose() => _pipe.Writer.Complete();

    private string Register(string caller)
    {
        Assert.True(_completions.TryRegister(_session, caller, out var id));
        return id;
    }

    [Fact]
    public void One_caller_registering_far_more_than_its_share_never_stops_another_caller()
    {
        var flood = Enumerable.Range(0, UrlElicitationCompletions.Capacity + 10).Select(_ => Register("user:mallory")).ToList();

        var other = Register("user:alice");

        Assert.Same(_session, _completions.Take(other));
        Assert.Same(_session, _completions.Take(flood[^1]));
    }

    [Fact]
    public void A_callers_next_registration_beyond_its_share_replaces_its_oldest_and_no_one_elses()
    {
        var alice = Register("user:alice");
        var own = Enumerable.Range(0, UrlElicitationCompletions.CapacityPerCaller + 1).Select(_ => Register("user:bob")).ToList();

        Assert.Null(_completions.Take(own[0]));
        Assert.All(own.Skip(1), id => Assert.Same(_session, _completions.Take(id)));
        Assert.Same(_session, _completions.Take(alice));
    }

    [Fact]
    public void Taken_and_forgotten_elicitations_free_the_callers_share()
    {
        var first = Register("user:bob");
        var second = Register("user:bob");
        Assert.Same(_session, _completions.Take(first));
        _completions.Forget(second);

        var own = Enumerable.Range(0, UrlElicitationCompletions.CapacityPerCaller).Select(_ => Register("user:bob")).ToList();

        Assert.All(own, id => Assert.Same(_session, _completions.Take(id)));
    }

    [Fact]
    public void Expired_elicitations_no_longer_count_against_their_caller()
    {
        var early = Enumerable.Range(0, UrlElicitationCompletions.CapacityPerCaller - 1).Select(_ => Register("user:bob")).ToList();
        _time.Advance(TimeSpan.FromMinutes(20));
        var kept = Register("user:bob");
        _time.Advance(TimeSpan.FromMinutes(10));

        // The early ones expired just now: the new ones take their places, not the one still pending.
        var late = Enumerable.Range(0, UrlElicitationCompletions.CapacityPerCaller - 1).Select(_ => Register("user:bob")).ToList();

        Assert.All(early, id => Assert.Null(_completions.Take(id)));
        Assert.Same(_session, _completions.Take(kept));
        Assert.All(late, id => Assert.Same(_session, _completions.Take(id)));
    }

    [Fact]
    public void When_every_caller_has_filled_the_total_new_ones_go_without_a_completion_until_entries_expire()
    {
        for (var i = 0; i < UrlElicitationCompletions.Capacity; i++)
        {
            Register("user:" + i);
        }

        Assert.False(_completions.TryRegister(_session, "user:late", out _));

        _time.Advance(UrlElicitationCompletions.Lifetime);

        Assert.Same(_session, _completions.Take(Register("user:late")));
    }
}
