using System.Text.Json.Nodes;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

/// <summary>
/// Parity with <c>InsufficientScopeError.to_json()</c> of Descope's Python MCP SDK (descope/descope-ai,
/// python/src/mcp_descope/session.py). The expected documents below are what that method prints for the same inputs
/// (<c>json.dumps(..., indent=2)</c>): fields error, scope, error_description, missing_scopes, token_scopes,
/// required_scopes in that order; scope is the sorted union of token and required scopes; the description names the
/// missing scopes joined with ", ".
/// </summary>
public sealed class InsufficientScopeExceptionTests
{
    [Fact]
    public void Json_equals_the_Python_SDK_shape_field_for_field()
    {
        const string python = """
            {
              "error": "insufficient_scope",
              "scope": "calendar.read calendar.write profile",
              "error_description": "Token missing required scopes: calendar.write",
              "missing_scopes": [
                "calendar.write"
              ],
              "token_scopes": [
                "profile",
                "calendar.read"
              ],
              "required_scopes": [
                "calendar.write",
                "calendar.read"
              ]
            }
            """;

        var error = new InsufficientScopeException(["calendar.write", "calendar.read"], ["profile", "calendar.read"]);

        AssertSameFieldsInOrder(python, error.ToJson());
    }

    [Fact]
    public void A_custom_description_replaces_the_default_as_in_Python()
    {
        const string python = """
            {
              "error": "insufficient_scope",
              "scope": "admin",
              "error_description": "Admins only",
              "missing_scopes": [
                "admin"
              ],
              "token_scopes": [],
              "required_scopes": [
                "admin"
              ]
            }
            """;

        var error = new InsufficientScopeException(["admin"], [], "Admins only");

        AssertSameFieldsInOrder(python, error.ToJson());
    }

    [Fact]
    public void Several_missing_scopes_are_listed_once_each_in_the_order_they_were_required()
    {
        // Python builds missing_scopes from a set, so its order varies between runs; this library fixes it.
        var error = new InsufficientScopeException(["b", "a", "b", "c"], ["c"]);

        Assert.Equal(["b", "a"], error.MissingScopes);
        Assert.Equal("Token missing required scopes: b, a", error.ErrorDescription);
        Assert.Equal("a b c", error.Scope);
        Assert.Equal(["b", "a", "b", "c"], error.RequiredScopes);
    }

    [Fact]
    public void Json_escapes_what_it_must_and_stays_one_JSON_object()
    {
        var error = new InsufficientScopeException(["a\"b"], ["line\nbreak"], "quote \" and <tag>");

        var json = JsonNode.Parse(error.ToJson())!;

        Assert.Equal("quote \" and <tag>", (string?)json["error_description"]);
        Assert.Equal("line\nbreak", (string?)json["token_scopes"]![0]);
    }

    private static void AssertSameFieldsInOrder(string expected, string actual)
    {
        var expectedObject = JsonNode.Parse(expected)!.AsObject();
        var actualObject = JsonNode.Parse(actual)!.AsObject();
        Assert.Equal(expectedObject.Select(p => p.Key), actualObject.Select(p => p.Key));
        foreach (var (name, value) in expectedObject)
        {
            Assert.True(JsonNode.DeepEquals(value, actualObject[name]), $"{name}: expected {value?.ToJsonString()}, got {actualObject[name]?.ToJsonString()}");
        }
    }
}
