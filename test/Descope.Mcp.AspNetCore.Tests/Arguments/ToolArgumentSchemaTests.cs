using System.Text.Json;
using Descope.Mcp.AspNetCore.Arguments;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Arguments;

/// <summary>
/// The check of tool arguments against the input schema the MCP SDK generates for the tool's parameters: what it
/// refuses, how it names the argument, and the arguments it hands on (with defaults filled in).
/// </summary>
public sealed class ToolArgumentSchemaTests
{
    public sealed record Link(string Name, Link? Next);

    public sealed record Window(string Calendar, int Days = 3);

    private static class Shapes
    {
        public static void Shaped(
            AccessLevel? maybe,
            int[] ids,
            Dictionary<string, int> counts,
            JsonElement anything,
            Link chain,
            Window window,
            double ratio,
            int? optional = null)
        {
        }
    }

    private static readonly ToolArgumentSchema Schema =
        ToolArgumentSchema.For(McpServerTool.Create(typeof(Shapes).GetMethod(nameof(Shapes.Shaped))!));

    private const string Valid =
        """{"maybe":null,"ids":[1,2],"counts":{"a":1,"A":2},"anything":{"x":"1","x":2},"chain":{"name":"a","next":{"name":"b","next":null}},"window":{"calendar":"c","days":1},"ratio":5e3}""";

    private static string Arguments(string replace, string with) => Valid.Replace(replace, with, StringComparison.Ordinal);

    private static (bool Conforms, JsonElement Conforming, string? Error) Conform(string arguments)
    {
        var conforms = Schema.TryConform(JsonElement.Parse(arguments), out var conforming, out var error);
        return (conforms, conforming, error);
    }

    [Fact]
    public void Arguments_shaped_as_the_parameters_conform_and_are_handed_on_unchanged()
    {
        var arguments = Arguments("\"ratio\":5e3", "\"ratio\":5e3,\"optional\":4");

        var (conforms, conforming, error) = Conform(arguments);

        Assert.True(conforms, error);
        Assert.Equal(arguments, conforming.GetRawText());
    }

    [Theory]
    [InlineData("\"maybe\":null", "\"maybe\":\"admin\"", "arguments.maybe must be one of the values the tool's input schema lists.")]
    [InlineData("\"maybe\":null", "\"maybe\":2", "arguments.maybe must be a string or null.")]
    [InlineData("\"ids\":[1,2]", "\"ids\":[1,\"2\"]", "arguments.ids[1] must be an integer.")]
    [InlineData("\"ids\":[1,2]", "\"ids\":[1,2.0]", "arguments.ids[1] must be an integer.")]
    [InlineData("\"counts\":{\"a\":1,\"A\":2}", "\"counts\":{\"a\":\"1\"}", "arguments.counts.* must be an integer.")]
    [InlineData("\"counts\":{\"a\":1,\"A\":2}", "\"counts\":{\"a\":1,\"a\":2}", "arguments.counts has a member given more than once.")]
    [InlineData("\"name\":\"b\",\"next\":null", "\"name\":7,\"next\":null", "arguments.chain.next.name must be a string.")]
    [InlineData("\"name\":\"b\",\"next\":null", "\"name\":\"b\"", "arguments.chain.next.next is required.")]
    [InlineData("\"window\":{\"calendar\":\"c\",\"days\":1}", "\"window\":{\"days\":1}", "arguments.window.calendar is required.")]
    [InlineData("\"window\":{\"calendar\":\"c\",\"days\":1}", "\"window\":{\"calendar\":\"c\",\"Days\":1}", "arguments.window.days must be named exactly as the tool's input schema spells it.")]
    [InlineData("\"window\":{\"calendar\":\"c\",\"days\":1}", "\"window\":{\"calendar\":\"c\",\"<b>secret</b>\":1}", "arguments.window has a member the tool's input schema does not declare.")]
    [InlineData("\"ratio\":5e3", "\"ratio\":\"5e3\"", "arguments.ratio must be a number.")]
    [InlineData("\"ratio\":5e3", "\"ratio\":5e3,\"optional\":\"4\"", "arguments.optional must be an integer or null.")]
    public void A_value_the_binder_would_read_leniently_is_refused_naming_its_path_and_nothing_sent(string replace, string with, string expected)
    {
        var (conforms, _, error) = Conform(Arguments(replace, with));

        Assert.False(conforms);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Arguments_that_are_not_an_object_are_refused()
    {
        Assert.Equal("arguments must be an object.", Conform("[]").Error);
        Assert.Equal("arguments must be an object.", Conform("null").Error);
    }

    [Fact]
    public void Omitted_members_with_a_default_are_filled_in_at_every_level()
    {
        var (conforms, conforming, error) = Conform(Arguments("\"window\":{\"calendar\":\"c\",\"days\":1}", "\"window\":{\"calendar\":\"c\"}"));

        Assert.True(conforms, error);
        Assert.Equal(3, conforming.GetProperty("window").GetProperty("days").GetInt32());
        Assert.Equal(JsonValueKind.Null, conforming.GetProperty("optional").ValueKind);
        Assert.Equal(5e3, conforming.GetProperty("ratio").GetDouble());
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}""")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"https://example.com/schema"}}}""")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"#/properties/y"},"y":{"$ref":"#/properties/x"}}}""")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"decimal"}}}""")]
    [InlineData("""{"type":"object","properties":{"x":{"type":"array","items":[{"type":"string"}]}}}""")]
    public void A_schema_construct_the_check_cannot_judge_refuses_values_there_and_only_there(string schema)
    {
        var compiled = ToolArgumentSchema.Compile(JsonElement.Parse(schema));

        Assert.False(compiled.TryConform(JsonElement.Parse("""{"x":["a"]}"""), out _, out var error));
        Assert.Equal("arguments.x uses a schema construct the server cannot check before the tool's argument rules run.", error);
        Assert.True(compiled.TryConform(JsonElement.Parse("{}"), out _, out _));
    }

    [Theory]
    [InlineData("""{"a":1}""", true)]
    [InlineData("""{"a":"1"}""", false)]
    [InlineData("""{"known":true,"a":1}""", true)]
    public void Declared_additional_properties_are_checked_against_their_schema(string arguments, bool conforms)
    {
        var compiled = ToolArgumentSchema.Compile(JsonElement.Parse(
            """{"type":"object","properties":{"known":{"type":"boolean"}},"additionalProperties":{"type":"integer"}}"""));

        Assert.Equal(conforms, compiled.TryConform(JsonElement.Parse(arguments), out _, out _));
    }

    [Fact]
    public void A_false_schema_allows_no_value_and_additional_properties_false_no_undeclared_member()
    {
        var compiled = ToolArgumentSchema.Compile(JsonElement.Parse(
            """{"type":"object","properties":{"never":false},"additionalProperties":false}"""));

        Assert.False(compiled.TryConform(JsonElement.Parse("""{"never":1}"""), out _, out var never));
        Assert.Equal("arguments.never is not allowed.", never);
        Assert.False(compiled.TryConform(JsonElement.Parse("""{"other":1}"""), out _, out var other));
        Assert.Equal("arguments has a member the tool's input schema does not declare.", other);
    }

    [Fact]
    public void A_tools_schema_is_compiled_once()
    {
        var tool = McpServerTool.Create(typeof(Shapes).GetMethod(nameof(Shapes.Shaped))!);

        Assert.Same(ToolArgumentSchema.For(tool), ToolArgumentSchema.For(tool));
    }
}
