using System.Text;
using Descope.Mcp.AspNetCore.Gate;

namespace Descope.Mcp.AspNetCore.Tests.Gate;

public sealed class McpRequestMessageTests
{
    private static McpRequestMessage Parse(string json) => McpRequestMessage.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_tools_call_yields_the_tool_name_and_the_raw_id()
    {
        const string json = """{"jsonrpc":"2.0","id":"req-7","method":"tools/call","params":{"name":"create_event","arguments":{"name":"x"}}}""";

        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Equal(McpPrimitiveKind.Tool, message.Kind);
        Assert.Equal("create_event", message.Target);
        Assert.Equal("\"req-7\"", json[message.Id]);
    }

    [Fact]
    public void Member_order_does_not_matter()
    {
        var message = Parse("""{"params":{"arguments":{},"name":"create_event"},"id":3,"jsonrpc":"2.0","method":"tools/call"}""");

        Assert.Equal(McpPrimitiveKind.Tool, message.Kind);
        Assert.Equal("create_event", message.Target);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":null,"params":{"name":"create_event"}}""")]
    public void Other_messages_are_not_tool_calls(string json)
    {
        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Null(message.Kind);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"TOOLS/CALL","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"Method":"tools/call","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"create_event"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"\u006dethod":"tools\u002fcall","params":{"\u006eame":"create\u005fevent"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","PARAMS":{"NAME":"create_event"}}""")]
    public void Case_and_escapes_never_hide_a_tool_call(string json)
    {
        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Equal(McpPrimitiveKind.Tool, message.Kind);
        Assert.Equal("create_event", message.Target);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","Method":"tools/call","params":{"name":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping"},"params":{"name":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","name":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/call","params":{"name":"x"}}""")]
    public void Duplicate_members_are_refused(string json)
    {
        var message = Parse(json);

        Assert.NotNull(message.Error);
        Assert.StartsWith("The request repeats a", message.Error);
        Assert.Null(message.Kind);
    }

    [Theory]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}]""", "JSON-RPC batches are not supported.")]
    [InlineData("", "The request body is empty.")]
    [InlineData("\"tools/call\"", "The request body is not a JSON-RPC message.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}} {}""", "The request body is not valid JSON.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}""", "The request body is not valid JSON.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call" /* c */,"params":{"name":"x"}}""", "The request body is not valid JSON.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":5}""", "The JSON-RPC method is not a string.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call"}""", "The tools/call request does not name a tool.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}""", "The tools/call request does not name a tool.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":["x"]}""", "The tools/call request does not name a tool.")]
    public void Anything_ambiguous_is_refused_with_a_reason(string json, string reason)
    {
        var message = Parse(json);

        Assert.Equal(reason, message.Error);
        Assert.Null(message.Kind);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_thrown()
    {
        var json = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":""" + new string('[', 200) + new string(']', 200) + "}}";

        Assert.Equal("The request body is not valid JSON.", Parse(json).Error);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"cr"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}}")];

        Assert.NotNull(McpRequestMessage.Parse(body).Error);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_accepted_and_the_id_range_accounts_for_it()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"id":42,"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}""")];

        var message = McpRequestMessage.Parse(body);

        Assert.Equal(McpPrimitiveKind.Tool, message.Kind);
        Assert.Equal("42", Encoding.UTF8.GetString(body[message.Id]));
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"calendar_summary"}}""", "Prompt", "calendar_summary")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"PROMPTS\/GET","params":{"NAME":"calendar_summary"}}""", "Prompt", "calendar_summary")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"calendar://today"}}""", "Resource", "calendar://today")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"Resources/Read","params":{"Uri":"calendar://today","name":"x"}}""", "Resource", "calendar://today")]
    public void Prompt_gets_and_resource_reads_yield_their_target(string json, string kind, string target)
    {
        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Equal(kind, message.Kind.ToString());
        Assert.Equal(target, message.Target);
    }

    [Fact]
    public void The_arguments_of_a_tool_call_are_located_as_sent()
    {
        const string json = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"calendar_id":"team"}}}""";

        Assert.Equal("""{"calendar_id":"team"}""", json[Parse(json).Arguments]);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call","params":{"name":"x"}}""", "The JSON-RPC id must be a string, a number or null.")]
    [InlineData("""{"jsonrpc":"2.0","id":[1],"method":"tools/list"}""", "The JSON-RPC id must be a string, a number or null.")]
    [InlineData("""{"jsonrpc":"2.0","id":true,"method":"tools/list"}""", "The JSON-RPC id must be a string, a number or null.")]
    [InlineData("""{"jsonrpc":"2.0","id":"\ud800","method":"tools/list"}""", "The request body is not valid UTF-8 JSON.")]
    [InlineData("""{"id":1,"method":"tools/call","params":{"name":"x"}}""", "The request is not JSON-RPC 2.0.")]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"tools/list"}""", "The request is not JSON-RPC 2.0.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"name":"x"}}""", "The resources/read request does not name a resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{}}""", "The prompts/get request does not name a prompt.")]
    public void Ids_JSON_RPC_forbids_and_messages_without_jsonrpc_or_a_target_are_refused(string json, string reason)
    {
        Assert.Equal(reason, Parse(json).Error);
    }

    [Fact]
    public void An_id_of_invalid_utf8_is_refused()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":"a"""), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\",\"method\":\"tools/list\"}")];

        Assert.Equal("The JSON-RPC id must be a string, a number or null.", McpRequestMessage.Parse(body).Error);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"calendar://agenda"}}""", "resources/subscribe", "calendar://agenda")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"Resources\/Unsubscribe","params":{"URI":"calendar://agenda"}}""", "resources/unsubscribe", "calendar://agenda")]
    public void Subscription_changes_yield_the_resource_they_name(string json, string method, string uri)
    {
        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Equal(method, message.Method);
        Assert.Equal(McpPrimitiveKind.Resource, message.Kind);
        Assert.Equal(uri, message.Target);
        Assert.False(message.IsReference);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"team_review"},"argument":{"name":"team","value":"e"}}}""", "Prompt", "team_review")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"argument":{"name":"team","value":"e"},"ref":{"uri":"calendar://teams/{team}","type":"ref/resource"}}}""", "Resource", "calendar://teams/{team}")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"COMPLETION/COMPLETE","params":{"Ref":{"TYPE":"REF/PROMPT","\u006eame":"team_review"}}}""", "Prompt", "team_review")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref\/resource","uri":"calendar://agenda","name":"team_review"}}}""", "Resource", "calendar://agenda")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"name":"ping","uri":"calendar://x","ref":{"type":"ref/prompt","name":"team_review"}}}""", "Prompt", "team_review")]
    public void A_completion_yields_the_prompt_or_resource_its_reference_names_never_the_top_level_name(string json, string kind, string target)
    {
        var message = Parse(json);

        Assert.Null(message.Error);
        Assert.Equal("completion/complete", message.Method);
        Assert.Equal(kind, message.Kind.ToString());
        Assert.Equal(target, message.Target);
        Assert.True(message.IsReference);
        Assert.Equal(default, message.Arguments);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete"}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":null}}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":[{"type":"ref/prompt","name":"x"}]}}""", "The completion/complete request does not name a prompt or resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{}}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/promptx","name":"x"}}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":null,"name":"x"}}}""", "The completion/complete reference is neither ref/prompt nor ref/resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","uri":"calendar://agenda"}}}""", "The completion/complete reference does not name a prompt.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":{"x":1}}}}""", "The completion/complete reference does not name a resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"a","name":"b"}}}""", "The request repeats a parameter.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","Type":"ref/resource","name":"a"}}}""", "The request repeats a parameter.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"a"},"ref":{"type":"ref/prompt","name":"b"}}}""", "The request repeats a parameter.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"name":"agenda"}}""", "The resources/subscribe request does not name a resource.")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/unsubscribe","params":{"uri":"a","Uri":"b"}}""", "The request repeats a parameter.")]
    public void Completions_and_subscription_changes_without_a_clear_target_are_refused_with_a_reason(string json, string reason)
    {
        var message = Parse(json);

        Assert.Equal(reason, message.Error);
        Assert.Null(message.Kind);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":"r-1","method":"tools/call","params":{}}""", "tools/call", "\"r-1\"")]
    [InlineData("""{"id":7,"jsonrpc":"2.0","method":"resources/subscribe","params":{"uri":7}}""", "resources/subscribe", "7")]
    [InlineData("""{"jsonrpc":"2.0","method":"completion/complete","params":{"ref":{"type":"ref/tool"}},"id":null}""", "completion/complete", "null")]
    public void A_well_formed_request_that_names_no_primitive_is_refused_as_invalid_params_keeping_its_method_and_id(string json, string method, string id)
    {
        var message = Parse(json);

        Assert.True(message.InvalidParams);
        Assert.NotNull(message.Error);
        Assert.Equal(method, message.Method);
        Assert.Equal(id, json[message.Id]);
        Assert.Null(message.Kind);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","name":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}} {}""")]
    [InlineData("""{"id":1,"method":"tools/call","params":{}}""")]
    public void A_body_that_is_not_one_unambiguous_request_is_never_taken_for_invalid_params(string json)
    {
        var message = Parse(json);

        Assert.NotNull(message.Error);
        Assert.False(message.InvalidParams);
        Assert.Null(message.Method);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"a"}}""", true)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources\/subscribe","params":{}}""", true)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources\u002funsubscribe","params":{"uri":"a"}}""", true)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"Resources/Subscribe","params":{"uri":"a"}}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/\u0053ubscribe","params":{}}""", false)]
    public void Whether_the_method_is_spelled_exactly_as_the_SDK_compares_it_is_known(string json, bool exact)
    {
        Assert.Equal(exact, Parse(json).IsMethodExact);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"i\ud800o":1}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"title":["\udc00"]}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","x\ud800xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx":0,"params":{"uri":"a"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list\ud800xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""")]
    public void An_escaped_lone_surrogate_anywhere_in_a_judged_body_is_refused(string json)
    {
        Assert.Equal("The request body is not valid UTF-8 JSON.", Parse(json).Error);
    }

    [Fact]
    public void Every_method_the_gate_judges_is_listed_once()
    {
        Assert.Equal(
            ["tools/call", "prompts/get", "resources/read", "resources/subscribe", "resources/unsubscribe", "completion/complete"],
            McpRequestMessage.GatedMethods);
    }
}
