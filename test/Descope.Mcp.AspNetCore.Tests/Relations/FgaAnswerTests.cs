using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Relations;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// How Descope's check is written and its answer read: one answer per tuple, in order; a missing <c>allowed</c> is
/// false; an answer that echoes another tuple, or a number of answers other than asked, is unreadable, never "allowed".
/// </summary>
public sealed class FgaAnswerTests
{
    private static readonly RelationTuple[] Asked =
    [
        new() { Resource = "team", ResourceType = "calendar", Relation = "viewer", Target = "U2Alice", TargetType = "user" },
        new() { Resource = "e1", ResourceType = "event", Relation = "viewer", Target = "U2Alice", TargetType = "user" },
    ];

    [Fact]
    public void The_request_carries_the_tuples_and_the_context_only_when_there_is_one()
    {
        var without = Encoding.UTF8.GetString(DescopeFgaClient.WriteRequest([Asked[0]], null));
        var with = Encoding.UTF8.GetString(DescopeFgaClient.WriteRequest([Asked[0]], new Dictionary<string, JsonElement> { ["ip"] = JsonSerializer.SerializeToElement("10.0.0.1") }));

        Assert.Equal("""{"tuples":[{"resource":"team","resourceType":"calendar","relation":"viewer","target":"U2Alice","targetType":"user"}]}""", without);
        Assert.EndsWith(""","context":{"ip":"10.0.0.1"}}""", with, StringComparison.Ordinal);
    }

    [Fact]
    public void Answers_are_read_in_order_nested_or_flat_with_a_missing_allowed_as_false()
    {
        var answers = DescopeFgaClient.ReadAnswer(Encoding.UTF8.GetBytes(
            """{"tuples":[{"allowed":true,"tuple":{"resource":"team","resourceType":"calendar","relation":"viewer","target":"U2Alice","targetType":"user"},"info":{"direct":false}},{"resource":"e1","relation":"viewer"}]}"""),
            Asked);

        Assert.Equal([true, false], answers.Select(a => a.Allowed));
        Assert.Equal([false, null], answers.Select(a => a.Direct));
    }

    [Theory]
    [InlineData("""{"tuples":[{"allowed":true}]}""")]
    [InlineData("""{"tuples":[{"allowed":true},{"allowed":true},{"allowed":true}]}""")]
    [InlineData("""{"tuples":[{"allowed":true,"tuple":{"resource":"e1"}},{"allowed":true,"tuple":{"resource":"team"}}]}""")]
    [InlineData("""{"tuples":[{"allowed":"true"},{"allowed":true}]}""")]
    [InlineData("""{"tuples":[true,true]}""")]
    [InlineData("""{"allowed":true}""")]
    [InlineData("""[]""")]
    public void An_answer_that_does_not_fit_the_request_is_unreadable(string answer)
    {
        Assert.ThrowsAny<Exception>(() => DescopeFgaClient.ReadAnswer(Encoding.UTF8.GetBytes(answer), Asked));
    }
}
