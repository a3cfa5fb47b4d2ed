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
    public async Task In_development_a_project_set_in_code_before_the_call_is_used_and_the_development_authority_stays_off()
    {
        await using var project = await DescopeTestAuthority.StartAsync();
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(Environments.Development, log, before: s => s.AddDescopeMcp(o =>
        {
            o.WellKnownUrl = project.WellKnownUrl;
            o.McpServerUrl = "http://localhost/mcp";
        }));
        project.DefaultAudience = "http://localhost/mcp";

        Assert.Equal(project.WellKnownUrl, app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.WellKnownUrl);
        Assert.Null(app.Services.GetService<DescopeTestAuthority>());
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("development authority", StringComparison.Ordinal));
        using var metadata = JsonDocument.Parse(await app.GetTestClient().GetStringAsync("/.well-known/oauth-protected-resource/mcp"));
        Assert.Equal(project.Issuer, metadata.RootElement.GetProperty("authorization_servers")[0].GetString());
        using var listed = await ListToolsAsync(app, project.CreateToken());
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
    }

    [Fact]
    public async Task In_development_a_project_id_configured_after_the_call_keeps_the_development_authority_off()
    {
        await using var app = await BuildAsync(after: s => s.Configure<DescopeMcpOptions>(o =>
        {
            o.ProjectId = "P2Configured";
            o.McpServerUrl = "http://localhost/mcp";
        }));

        var options = app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
        Assert.Equal("P2Configured", options.ProjectId);
        Assert.Equal("https://api.descope.com", options.BaseUrl);
        Assert.StartsWith("https://api.descope.com/", options.WellKnownUrl, StringComparison.Ordinal);
        Assert.Null(app.Services.GetService<DescopeTestAuthority>());
    }

    [Fact]
    public async Task In_development_a_base_url_set_in_code_keeps_the_development_authority_off_and_the_missing_project_is_reported()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(
            Environments.Development,
            settings: [("Descope:McpServerUrl", "http://localhost/mcp")],
            after: s => s.AddDescopeMcp(o => o.BaseUrl = "https://api.euc1.descope.com")));

        Assert.Contains("Descope:WellKnownUrl is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_a_configured_base_url_keeps_the_development_authority_off_and_the_missing_project_is_reported()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(
            Environments.Development,
            settings: [("Descope:BaseUrl", "https://api.euc1.descope.com"), ("Descope:McpServerUrl", "http://localhost/mcp")]));

        Assert.Contains("Descope:WellKnownUrl is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_an_mcp_server_url_set_in_code_is_kept_by_the_development_authority()
    {
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(Environments.Development, log, after: s => s.AddDescopeMcp(o => o.McpServerUrl = "http://localhost:7001/mcp"));
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        Assert.Equal("http://localhost:7001/mcp", app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.McpServerUrl);
        Assert.Equal(authority.WellKnownUrl, app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.WellKnownUrl);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("Descope:McpServerUrl is not configured", StringComparison.Ordinal));
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

    private static async Task<HttpResponseMessage> ListToolsAsync(WebApplication app, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await app.GetTestClient().SendAsync(request);
    }

    /// <summary>A Development server that is built but not started, for settings whose project cannot be reached.</summary>
    private static Task<WebApplication> BuildAsync(Action<IServiceCollection> after)
    {
        var builder = CreateBuilder(Environments.Development, log: null, settings: [], before: null, after: after, configure: null);
        return Task.FromResult(builder.Build());
    }

    private static async Task<WebApplication> StartAsync(
        string environment,
        RecordingLoggerProvider? log = null,
        (string Key, string Value)? url = null,
        (string Key, string Value)[]? settings = null,
        Action<DescopeTestAuthority>? configure = null,
        Action<IServiceCollection>? before = null,
        Action<IServiceCollection>? after = null)
    {
        var builder = CreateBuilder(environment, log, (url is null ? [] : new[] { url.Value }).Concat(settings ?? []), before, after, configure);
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

    private static WebApplicationBuilder CreateBuilder(
        string environment,
        RecordingLoggerProvider? log,
        IEnumerable<(string Key, string Value)> settings,
        Action<IServiceCollection>? before,
        Action<IServiceCollection>? after,
        Action<DescopeTestAuthority>? configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = EmptyContentRoot });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddMcpServer().WithHttpTransport().WithTools<TestTools>();
        builder.AddDescopeMcp();
        before?.Invoke(builder.Services);
        builder.AddDescopeDevelopmentAuthority(configure);
        after?.Invoke(builder.Services);
        return builder;
    }
}
