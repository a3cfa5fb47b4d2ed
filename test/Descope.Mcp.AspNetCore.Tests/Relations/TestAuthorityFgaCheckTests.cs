using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// The test authority's <c>POST /v1/mgmt/fga/check</c> is as strict as Descope: the management key and nothing else, the
/// body's shape, and answers for direct tuples only (no schema inheritance, no conditions).
/// </summary>
public sealed class TestAuthorityFgaCheckTests : IAsyncLifetime
{
    private const string Key = "K2authority";
    private DescopeTestAuthority _authority = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync();
        _authority.Relations.ManagementKey = Key;
        _authority.AddRelation("U2Alice", "owner", "calendar", "team");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task A_direct_tuple_is_allowed_and_nothing_is_derived_from_another_relation()
    {
        var (status, answer) = await CheckAsync(
            """{"tuples":[{"resource":"team","resourceType":"calendar","relation":"owner","target":"U2Alice","targetType":"user"},{"resource":"team","resourceType":"calendar","relation":"viewer","target":"U2Alice","targetType":"user"}],"context":{"ip":"10.0.0.1"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([true, false], answer!["tuples"]!.AsArray().Select(t => (bool)t!["allowed"]!));
        Assert.Equal("owner", (string?)answer["tuples"]![0]!["tuple"]!["relation"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer K2authority")]
    [InlineData("Bearer P2other:K2authority")]
    [InlineData("Bearer {project}:K2wrong")]
    [InlineData("Basic {project}:K2authority")]
    public async Task Anything_but_the_projects_management_key_is_401(string? authorization)
    {
        var (status, answer) = await CheckAsync(
            """{"tuples":[{"resource":"team","resourceType":"calendar","relation":"owner","target":"U2Alice","targetType":"user"}]}""",
            authorization?.Replace("{project}", _authority.ProjectId, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("E011004", (string?)answer!["errorCode"]);
    }

    [Fact]
    public async Task An_access_token_is_not_a_management_key()
    {
        var (status, _) = await CheckAsync(
            """{"tuples":[{"resource":"team","relation":"owner","target":"U2Alice"}]}""",
            $"Bearer {_authority.ProjectId}:{_authority.CreateToken(t => t.Subject = "U2Alice")}");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("""{"tuples":[]}""")]
    [InlineData("""{"relations":[{"resource":"team","relation":"owner","target":"U2Alice"}]}""")]
    [InlineData("""{"tuples":[{"resource":"team","relation":"owner"}]}""")]
    [InlineData("""{"tuples":[{"resource":"team","relation":"owner","target":"U2Alice","tenant":"T1"}]}""")]
    [InlineData("""{"tuples":[{"resource":42,"relation":"owner","target":"U2Alice"}]}""")]
    [InlineData("""{"tuples":[{"resource":"team","relation":"owner","target":"U2Alice"}],"context":"x"}""")]
    [InlineData("""not json""")]
    public async Task A_body_of_another_shape_is_400(string body)
    {
        var (status, answer) = await CheckAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("E011002", (string?)answer!["errorCode"]);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Answer)> CheckAsync(string body, string? authorization = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_authority.BaseUrl, "/v1/mgmt/fga/check"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var header = authorization == "" ? $"Bearer {_authority.ProjectId}:{Key}" : authorization;
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }
}
