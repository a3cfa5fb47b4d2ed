using System.Text.Json;
using Descope.Mcp.AspNetCore.Arguments;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Arguments;

/// <summary>
/// The schema a prompt's arguments are held to before an argument rule sees them: its argument list, every argument a
/// string (as MCP defines them), required as listed, and an omitted one as the default of the prompt method's parameter.
/// </summary>
public sealed class PromptArgumentSchemaTests
{
    private static class Prompts
    {
        public static string Digest(string calendar_id, string period = "week", int days = 7, AccessLevel level = AccessLevel.Write, string? note = null) =>
            calendar_id + period + days + level + note;

        public static string Bare() => string.Empty;
    }

    private static McpServerPrompt Prompt(string method) => McpServerPrompt.Create(typeof(Prompts).GetMethod(method)!);

    private static string Conform(ToolArgumentSchema schema, string arguments)
    {
        Assert.True(schema.TryConform(JsonElement.Parse(arguments), out var conforming, out var error), error);
        return conforming.GetRawText();
    }

    private static string Refuse(ToolArgumentSchema schema, string arguments)
    {
        Assert.False(schema.TryConform(JsonElement.Parse(arguments), out _, out var error));
        return error;
    }

    [Fact]
    public void A_prompts_arguments_are_strings_named_as_listed_and_required_as_listed_with_its_methods_defaults()
    {
        var schema = PromptArgumentSchema.Of(Prompt(nameof(Prompts.Digest)));

        Assert.Equal(
            """{"type":"object","properties":{"calendar_id":{"type":"string"},"period":{"type":"string","default":"week"},"days":{"type":"string","default":7},"level":{"type":"string","default":"Write"},"note":{"type":"string","default":null}},"required":["calendar_id"]}""",
            schema.GetRawText());
    }

    [Fact]
    public void Omitted_arguments_are_handed_on_as_the_prompt_receives_them()
    {
        var schema = ToolArgumentSchema.For(Prompt(nameof(Prompts.Digest)));

        Assert.Equal(
            """{"calendar_id":"team","days":"30","period":"week","level":"Write","note":null}""",
            Conform(schema, """{"calendar_id":"team","days":"30"}"""));
    }

    [Theory]
    [InlineData("""{"calendar_id":"team","Period":"day"}""", "arguments.period must be named exactly as the prompt's argument list spells it.")]
    [InlineData("""{"calendar_id":"team","days":30}""", "arguments.days must be a string.")]
    [InlineData("""{"calendar_id":"team","calendar_id":"personal"}""", "arguments.calendar_id is given more than once.")]
    [InlineData("""{"calendar_id":"team","owner":"x"}""", "arguments has a member the prompt's argument list does not declare.")]
    [InlineData("""{"period":"day"}""", "arguments.calendar_id is required.")]
    [InlineData("""["team"]""", "arguments must be an object.")]
    public void Arguments_that_do_not_conform_are_refused_naming_the_argument_and_the_argument_list(string arguments, string error)
    {
        Assert.Equal(error, Refuse(ToolArgumentSchema.For(Prompt(nameof(Prompts.Digest))), arguments));
    }

    [Fact]
    public void A_prompt_without_arguments_accepts_none()
    {
        var schema = ToolArgumentSchema.For(Prompt(nameof(Prompts.Bare)));

        Assert.Equal("{}", Conform(schema, "{}"));
        Assert.Equal("arguments has a member the prompt's argument list does not declare.", Refuse(schema, """{"x":"1"}"""));
    }

    [Fact]
    public void A_prompt_not_made_from_a_method_has_its_argument_list_and_no_defaults_the_server_could_know()
    {
        var prompt = McpServerPrompt.Create(AIFunctionFactory.Create(Prompts.Digest), options: null);

        Assert.Equal(
            """{"type":"object","properties":{"calendar_id":{"type":"string"},"period":{"type":"string"},"days":{"type":"string"},"level":{"type":"string"},"note":{"type":"string"}},"required":["calendar_id"]}""",
            PromptArgumentSchema.Of(prompt).GetRawText());
    }

    [Fact]
    public void A_prompts_argument_list_is_compiled_once()
    {
        var prompt = Prompt(nameof(Prompts.Digest));

        Assert.Same(ToolArgumentSchema.For(prompt), ToolArgumentSchema.For(prompt));
    }
}
