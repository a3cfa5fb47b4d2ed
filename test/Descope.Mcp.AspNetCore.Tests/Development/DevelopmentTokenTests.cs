using System.Net;
using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.Development;

/// <summary>
/// <c>GET /_descope/development/token</c>: while a server runs on the development authority, a caller on this machine
/// gets a bearer token for CLI clients; nobody else does, and outside Development the path is the app's like any other.
/// </summary>
public sealed class DevelopmentTokenTests
{
    private const string TokenPath = "/_descope/development/token";

    // No appsettings*.json: the test output folder holds the sample's.
    private static readonly string EmptyContentRoot = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "descope-development-token-tests")).FullName;

    [Fact]
    public async Task A_caller_on_this_machine_gets_a_token_of_the_signed_in_user_that_an_mcp_client_uses_and_the_log_says_how()
    {
        var log = new RecordingLoggerProvider();
        await using var server = await KestrelServer.StartAsync(Environments.Development, log);
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Url(TokenPath));
        var token = (await response.Content.ReadAsStringAsync()).Trim();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        await using var client = await ConnectAsync(server.Url("/mcp"), token);
        Assert.Equal("U2Developer", Text(await client.CallToolAsync("whoami")));
        Assert.Equal("3 events", Text(await client.CallToolAsync("list_events")));
        var jwt = new JsonWebToken(token);
        Assert.Equal(server.Url("/mcp").AbsoluteUri, Assert.Single(jwt.Audiences));
        Assert.Equal(TimeSpan.FromHours(8), jwt.ValidTo - jwt.IssuedAt);
        Assert.Contains(log.Entries, e => e.Message.Contains("curl -s " + server.Url(TokenPath).AbsoluteUri, StringComparison.Ordinal));
        Assert.Empty(log.EntriesContaining(token));
    }

    [Fact]
    public async Task A_caller_may_name_a_declared_user_and_ask_for_fewer_scopes()
    {
        await using var server = await KestrelServer.StartAsync(Environments.Development, configure: authority =>
        {
            authority.AddUser("U2Dana", user => { user.Scopes.Add("calendar.read"); user.Scopes.Add("calendar.write"); user.Claims["name"] = "Dana"; });
            authority.AddUser("U2Nico", user => user.Scopes.Add("calendar.read"));
            authority.SignedInUser = "U2Nico";
        });
        using var http = new HttpClient();

        var token = (await http.GetStringAsync(server.Url(TokenPath + "?user=U2Dana&scope=calendar.read"))).Trim();

        var jwt = new JsonWebToken(token);
        Assert.Equal("U2Dana", jwt.Subject);
        Assert.Equal("calendar.read", jwt.GetClaim("scope").Value);
        Assert.Equal("Dana", jwt.GetClaim("name").Value);
        await using var client = await ConnectAsync(server.Url("/mcp"), token);
        var tools = await client.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == "list_events");
        Assert.DoesNotContain(tools, t => t.Name == "create_event");
    }

    [Theory]
    [InlineData("?scope=calendar.read%20calendar.admin", "U2Nico may not be granted calendar.admin (their scopes: calendar.read).")]
    [InlineData("?user=U2Nobody", "No user with that subject is declared on the development authority (declared: U2Nico).")]
    [InlineData("?scope=a&scope=b", "A parameter appears more than once")]
    [InlineData("?scope=%22quoted%22", "scope holds a value that is not an OAuth scope")]
    public async Task A_request_the_authority_cannot_grant_is_refused_saying_why(string query, string reason)
    {
        await using var server = await KestrelServer.StartAsync(Environments.Development, configure: authority =>
        {
            authority.AddUser("U2Nico", user => user.Scopes.Add("calendar.read"));
            authority.SignedInUser = "U2Nico";
        });
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Url(TokenPath + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("Host", "rebound.example:80")]
    public async Task A_request_relayed_by_a_proxy_or_addressed_to_another_host_is_refused(string header, string value)
    {
        await using var server = await KestrelServer.StartAsync(Environments.Development);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Url(TokenPath));
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("eyJ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7", HttpStatusCode.Forbidden)]
    [InlineData("::ffff:192.168.1.20", HttpStatusCode.Forbidden)]
    [InlineData("::ffff:127.0.0.1", HttpStatusCode.OK)]
    [InlineData("::1", HttpStatusCode.OK)]
    public async Task Only_a_loopback_connection_gets_a_token(string remoteAddress, HttpStatusCode expected)
    {
        await using var app = await StartOnTestServerAsync();

        var context = await app.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = TokenPath;
            c.Request.Host = new HostString("localhost");
            c.Connection.RemoteIpAddress = IPAddress.Parse(remoteAddress);
        });

        Assert.Equal((int)expected, context.Response.StatusCode);
    }

    [Fact]
    public async Task Outside_development_the_path_is_the_apps_and_no_token_is_minted()
    {
        await using var project = await DescopeTestAuthority.StartAsync();
        await using var server = await KestrelServer.StartAsync(Environments.Production, services: s => s.AddDescopeTestAuthority(project));
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Url(TokenPath));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task In_development_with_a_project_configured_in_code_the_path_is_the_apps_and_no_token_is_minted()
    {
        await using var project = await DescopeTestAuthority.StartAsync();
        await using var server = await KestrelServer.StartAsync(Environments.Development, services: s => s.AddDescopeTestAuthority(project));
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Url(TokenPath));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(server.Services.GetService<DescopeTestAuthority>());
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    private static async Task<McpClient> ConnectAsync(Uri mcpUrl, string token)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = mcpUrl, TransportMode = HttpTransportMode.StreamableHttp }, http, ownsHttpClient: true));
    }

    private static async Task<WebApplication> StartOnTestServerAsync()
    {
        var builder = CreateBuilder(Environments.Development, log: null, configure: null, services: null, urls: null);
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        return app;
    }

    private static WebApplicationBuilder CreateBuilder(
        string environment, RecordingLoggerProvider? log, Action<DescopeTestAuthority>? configure, Action<IServiceCollection>? services, Uri? urls)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = EmptyContentRoot });
        if (urls is not null)
        {
            builder.Configuration["urls"] = urls.AbsoluteUri;
            if (services is not null)
            {
                // A project of the test's own: the development authority stays off and sets no McpServerUrl.
                builder.Configuration["Descope:McpServerUrl"] = new Uri(urls, "/mcp").AbsoluteUri;
            }
        }

        builder.Logging.ClearProviders();
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.Services.AddSingleton<ToolInvocations>();
        builder.Services.AddMcpServer().WithHttpTransport().WithTools<TestTools>().WithTools<CalendarTools>();
        builder.AddDescopeMcp();
        builder.AddDescopeDevelopmentAuthority(configure);
        services?.Invoke(builder.Services);
        return builder;
    }

    /// <summary>The server on Kestrel, on a loopback port, its first URL being the one it is reached at.</summary>
    private sealed class KestrelServer(WebApplication app, Uri baseAddress) : IAsyncDisposable
    {
        public IServiceProvider Services => app.Services;

        public static async Task<KestrelServer> StartAsync(
            string environment,
            RecordingLoggerProvider? log = null,
            Action<DescopeTestAuthority>? configure = null,
            Action<IServiceCollection>? services = null)
        {
            // Another test may take the free port between the look-up and the bind: then try another one.
            for (var attempt = 1; ; attempt++)
            {
                var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
                var builder = CreateBuilder(environment, log, configure, services, baseAddress);

                var app = builder.Build();
                app.MapMcp("/mcp");
                try
                {
                    await app.StartAsync();
                    return new KestrelServer(app, baseAddress);
                }
                catch (IOException) when (attempt < 5)
                {
                    await app.DisposeAsync();
                }
            }
        }

        public Uri Url(string pathAndQuery) => new(baseAddress, pathAndQuery);

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
