using System.Net.Http.Headers;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace ConsumerServer.Tests;

/// <summary>The server built from the packages, in memory, with the test authority and with the development authority.</summary>
public sealed class PackagedServerTests
{
    [Fact]
    public async Task A_scoped_tool_answers_a_caller_with_a_test_authority_token()
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o => o.InProcess = true);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .ConfigureTestServices(services => services.AddDescopeTestAuthority(authority)));
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", authority.CreateToken(t =>
        {
            t.Subject = "U2Reader";
            t.Scopes.Add("notes.read");
        }));
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            http,
            ownsHttpClient: true));

        var result = await client.CallToolAsync("list_notes");

        Assert.Equal("No notes yet for U2Reader.", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task In_development_without_a_Descope_project_the_development_authority_is_the_servers_authorization_server()
    {
        await using var app = await StartAsync("Development");
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        using var metadata = JsonDocument.Parse(await app.GetTestClient().GetStringAsync("/.well-known/oauth-protected-resource/mcp"));

        Assert.Equal(authority.Issuer, metadata.RootElement.GetProperty("authorization_servers")[0].GetString());
        Assert.StartsWith("http://127.0.0.1:", authority.Issuer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_with_a_Descope_project_the_development_authority_stays_off()
    {
        await using var app = await StartAsync("Development", ("Descope:ProjectId", "P2ConsumerProject"));

        Assert.Null(app.Services.GetService<DescopeTestAuthority>());
    }

    [Fact]
    public async Task Outside_development_the_development_authority_stays_off_and_the_missing_project_is_reported()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("Production"));

        Assert.Contains("Descope:WellKnownUrl is required", error.Message, StringComparison.Ordinal);
    }

    // Program.cs reads its environment while it builds, before WebApplicationFactory's settings apply, so these tests
    // build the same server with the environment they need.
    private static async Task<WebApplication> StartAsync(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Configuration["Descope:McpServerUrl"] = "http://localhost/mcp";
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddMcpServer().WithHttpTransport().WithTools<NotesTools>();
        builder.AddDescopeMcp();
        builder.AddDescopeDevelopmentAuthority();
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        return app;
    }
}
