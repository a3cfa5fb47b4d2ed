using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DescopeMcpServer1.Tests;

/// <summary>
/// Runs the server in memory with <see cref="WebApplicationFactory{TEntryPoint}"/> against an in-memory Descope test
/// authority, and calls it the way MCP clients do.
/// </summary>
public sealed class ServerTests : IAsyncLifetime
{
    private const string User = "U2Alice";

    private DescopeTestAuthority _authority = null!;
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.InProcess = true);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .ConfigureTestServices(services => services.AddDescopeTestAuthority(_authority)));
        _ = _factory.Server; // starts the server, so tokens carry its McpServerUrl as their audience
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task A_request_without_a_token_is_challenged_with_the_resource_metadata()
    {
        using var http = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scoped_tool_is_hidden_without_its_scope()
    {
        await using var client = await ConnectAsync(TestConnectionVault.FetchScope);

        var tools = await client.ListToolsAsync();

        Assert.Contains(tools, t => t.Name == "connection_status");
        Assert.DoesNotContain(tools, t => t.Name == "greet");
    }

    [Fact]
    public async Task The_scoped_tool_answers_with_its_scope()
    {
        await using var client = await ConnectAsync(TestConnectionVault.FetchScope, "greet");

        var result = await client.CallToolAsync("greet", new Dictionary<string, object?> { ["name"] = "Ada" });

        Assert.Equal("Hello, Ada!", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task The_connection_tool_gets_the_callers_token_from_the_vault()
    {
        _authority.Connections.AddUserConnection(Tools.ConnectionAppId, User, ["calendar.readonly"]);
        await using var client = await ConnectAsync(TestConnectionVault.FetchScope);

        var result = await client.CallToolAsync("connection_status");

        Assert.Equal($"Connected to {Tools.ConnectionAppId} with scopes [calendar.readonly].", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(1, _authority.Connections.TokenRequestCount);
    }

    [Fact]
    public async Task The_connection_tool_says_how_to_connect_when_the_caller_has_not()
    {
        await using var client = await ConnectAsync(TestConnectionVault.FetchScope);

        var result = await client.CallToolAsync("connection_status");

        Assert.Contains($"not connected '{Tools.ConnectionAppId}' yet", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    private async Task<McpClient> ConnectAsync(params string[] scopes)
    {
        var token = _authority.CreateToken(t =>
        {
            t.Subject = User;
            foreach (var scope in scopes)
            {
                t.Scopes.Add(scope);
            }
        });
        var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }
}
