using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Development;

/// <summary>
/// The development authority and the scopes the server requires: its default user may be granted every one of them, and
/// a scope no declared user may be granted is warned about at startup instead of ending in 403 loops.
/// </summary>
public sealed partial class DevelopmentScopesTests
{
    private const int ScopeNotGrantable = 4;

    // No appsettings*.json: the test output folder holds the sample's.
    private static readonly string EmptyContentRoot = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "descope-development-scopes-tests")).FullName;

    [Fact]
    public async Task The_default_developer_may_be_granted_the_scopes_of_the_servers_tools_as_well_as_the_configured_ones()
    {
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(log, settings: [("Descope:RequiredScopes:0", "outbound.token.fetch")]);
        var authority = app.Services.GetRequiredService<DescopeTestAuthority>();

        var grantable = await GrantableOnTheAuthorizePageAsync(authority, "U2Developer");

        Assert.Equal(["calendar.read", "calendar.write", "openid", "outbound.token.fetch"], grantable);
        Assert.DoesNotContain(log.Entries, e => e.EventId.Id == ScopeNotGrantable);
    }

    [Fact]
    public async Task A_scope_in_use_that_no_declared_user_may_be_granted_is_warned_about_naming_what_requires_it()
    {
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(
            log,
            settings: [("Descope:RequiredScopes:0", "outbound.token.fetch")],
            configure: authority => authority.AddUser("U2Dana", user => user.Scopes.Add("calendar.read")));

        var warnings = log.Entries.Where(e => e.EventId.Id == ScopeNotGrantable).ToList();
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Equal(["calendar.write", "outbound.token.fetch"], warnings.Select(w => (string)w.Values["Scope"]!).Order(StringComparer.Ordinal));
        Assert.Contains(warnings, w => w.Message.StartsWith(
            "The scope outbound.token.fetch, required by Descope:RequiredScopes, cannot be granted to any development user (U2Dana)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Message.StartsWith(
            "The scope calendar.write, required by tool create_event, cannot be granted to any development user (U2Dana)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_scope_a_declared_user_may_be_granted_through_a_broader_scope_is_not_warned_about()
    {
        var log = new RecordingLoggerProvider();
        await using var app = await StartAsync(
            log,
            settings: [("Descope:ScopeHierarchy:calendar:0", "calendar.read"), ("Descope:ScopeHierarchy:calendar:1", "calendar.write")],
            configure: authority => authority.AddUser("U2Dana", user => user.Scopes.Add("calendar")));

        Assert.DoesNotContain(log.Entries, e => e.EventId.Id == ScopeNotGrantable);
    }

    /// <summary>The scopes the authorize page lets the user be granted, as a browser receives the page.</summary>
    private static async Task<string[]> GrantableOnTheAuthorizePageAsync(DescopeTestAuthority authority, string subject)
    {
        using var http = new HttpClient();
        using var registration = JsonDocument.Parse(await (await http.PostAsync(authority.RegistrationEndpoint, new StringContent(
            """{"client_name":"dev","redirect_uris":["http://127.0.0.1:1/callback"],"grant_types":["authorization_code"],"token_endpoint_auth_method":"none"}""",
            System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync());
        var clientId = registration.RootElement.GetProperty("client_id").GetString();
        using var consent = await http.GetAsync($"{authority.AuthorizationEndpoint}?response_type=code&client_id={clientId}&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback" +
            "&scope=calendar.write&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s");
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var match = UserOption().Matches(await consent.Content.ReadAsStringAsync()).Single(m => m.Groups["user"].Value == subject);
        return match.Groups["grantable"].Value.Split(' ');
    }

    [GeneratedRegex("""value="(?<user>[^"]+)" data-grantable="(?<grantable>[^"]*)" """)]
    private static partial Regex UserOption();

    private static async Task<WebApplication> StartAsync(
        RecordingLoggerProvider log,
        (string Key, string Value)[] settings,
        Action<DescopeTestAuthority>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development, ContentRootPath = EmptyContentRoot });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>();
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
