using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Tests.Development;

/// <summary>
/// <c>builder.AddDescopeDevelopmentAuthority()</c> on a server of one's own, and <c>AddDescopeTestAuthority</c> on a
/// <see cref="TestServer"/> without an <c>McpServerUrl</c>: what the server serves, logs and accepts.
/// </summary>
public sealed class DevelopmentAuthorityTests
{
    // No appsettings*.json: the test output folder holds the sample's, which configure an McpServerUrl.
    private static readonly string EmptyContentRoot = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "descope-development-authority-tests")).FullName;

    [Fact]
    public async Task In_development_without_a_Descope_project_the_server_runs_on_the_embedded_authority_and_says_so()
    {
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(Environments.Development, log, ("urls", "http://+:5123"));
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        using var metadata = JsonDocument.Parse(await app.GetTestClient().GetStringAsync("/.well-known/oauth-protected-resource/mcp"));

        Assert.Equal(authority.Issuer, metadata.RootElement.GetProperty("authorization_servers")[0].GetString());
        Assert.Equal("http://localhost:5123/mcp", metadata.RootElement.GetProperty("resource").GetString());
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("embedded development authority " + authority.Issuer, StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Message.Contains("Descope:McpServerUrl is not configured: the development authority assumes http://localhost:5123/mcp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_development_authority_lets_its_default_user_be_granted_the_configured_scopes()
    {
        await using var app = await StartAsync(Environments.Development, settings: [("Descope:RequiredScopes:0", "outbound.token.fetch"), ("Descope:ScopesSupported:0", "notes.read")]);
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        Assert.Equal("U2Developer", authority.SignedInUser);
        using var http = new HttpClient();
        using var registration = JsonDocument.Parse(await (await http.PostAsync(authority.RegistrationEndpoint, new StringContent(
            """{"client_name":"dev","redirect_uris":["http://127.0.0.1:1/callback"],"grant_types":["authorization_code"],"token_endpoint_auth_method":"none"}""",
            System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync());
        var clientId = registration.RootElement.GetProperty("client_id").GetString();
        using var consent = await http.GetAsync($"{authority.AuthorizationEndpoint}?response_type=code&client_id={clientId}&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback" +
            "&scope=notes.read%20outbound.token.fetch&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&resource=http%3A%2F%2Flocalhost%2Fmcp&state=s");
        var page = await consent.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.Contains("notes.read", page, StringComparison.Ordinal);
        Assert.Contains("Dev Developer", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_declared_by_the_server_replace_the_default_user()
    {
        await using var app = await StartAsync(Environments.Development, configure: a => a.AddUser("U2Dana"));
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        Assert.Null(authority.SignedInUser);
    }

    [Fact]
    public async Task In_development_with_a_Descope_project_the_development_authority_stays_off()
    {
        await using var app = await StartAsync(Environments.Development, settings: [("Descope:ProjectId", "P2Configured"), ("Descope:McpServerUrl", "http://localhost/mcp")]);

        Assert.Null(app.Services.GetService<DescopeTestAuthority>());
    }

    [Fact]
    public async Task Outside_development_the_development_authority_stays_off_and_the_missing_project_is_reported()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Environments.Production, settings: [("Descope:McpServerUrl", "http://localhost/mcp")]));

        Assert.Contains("Descope:WellKnownUrl is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_test_server_the_test_authority_fills_in_the_McpServerUrl_and_its_tokens_carry_it()
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o => o.InProcess = true);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Services.AddMcpServer().WithHttpTransport().WithTools<TestTools>();
        builder.Services.AddDescopeTestAuthority(authority);
        await using var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        using var http = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + authority.CreateToken());
        using var response = await http.SendAsync(request);

        Assert.Equal("http://localhost/mcp", app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.McpServerUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<WebApplication> StartAsync(
        string environment,
        RecordingLoggerProvider? log = null,
        (string Key, string Value)? url = null,
        (string Key, string Value)[]? settings = null,
        Action<DescopeTestAuthority>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = EmptyContentRoot });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        foreach (var (key, value) in (url is null ? [] : new[] { url.Value }).Concat(settings ?? []))
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddMcpServer().WithHttpTransport().WithTools<TestTools>();
        builder.AddDescopeMcp();
        builder.AddDescopeDevelopmentAuthority(configure);
        var app = builder.Build();
        app.MapMcp("/mcp");
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }
}
