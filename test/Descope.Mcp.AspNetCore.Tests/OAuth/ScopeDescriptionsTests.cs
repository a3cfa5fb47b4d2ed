using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.AuthorizationRequests;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// How the authorize and connect pages present what is asked, through real HTTP as a browser receives them: each scope
/// with its description (<see cref="DescopeTestAuthority.ScopeDescriptions"/>) and break opportunities after <c>/</c> and
/// before <c>.</c>, and an app by its name (<see cref="TestConnectionVault.AppNames"/>, else one made from its ID).
/// </summary>
public sealed class ScopeDescriptionsTests : IAsyncLifetime
{
    private const string CalendarScope = "https://www.googleapis.com/auth/calendar.readonly";
    private const string RedirectUri = "http://127.0.0.1:9/callback";

    private readonly BrowserUser _browser = new();
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true);
        _authority.AddUser("U2Alice", u =>
        {
            u.Scopes.Add("calendar.read");
            u.Claims["name"] = "Alice Example";
        });
        _authority.ScopeDescriptions["calendar.read"] = "See your calendar's events";
        _authority.ScopeDescriptions[CalendarScope] = "See the events of your Google calendars";
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task The_authorize_page_describes_each_scope_it_has_a_description_for()
    {
        var clientId = await RegisterAsync();

        using var page = await _browser.OpenAsync(AuthorizeUrl(_authority, clientId, RedirectUri, Challenge(Verifier()), "calendar.read outbound.token.fetch calendar.other"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("See your calendar's events", Detail(page, "calendar.read"));
        Assert.Equal("Use the apps you connected, such as your calendar, through this server", Detail(page, "outbound.token.fetch"));
        Assert.Null(Detail(page, "calendar.other"));
        Assert.Equal("calendar<wbr>.read", page.Document.QuerySelectorAll(".scope .name").Single(n => n.TextContent == "calendar.read").InnerHtml);
    }

    [Fact]
    public async Task The_connect_page_titles_the_app_by_a_name_made_from_its_id_and_describes_and_breaks_its_scopes()
    {
        using var page = await _browser.OpenAsync(ConnectUrl("google-calendar"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Connect Google Calendar to Alice Example", page.Heading);
        Assert.Contains("Google Calendar (google-calendar) for Alice Example", page.Document.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
        var name = page.Document.QuerySelector(".option .name")!;
        Assert.Equal(CalendarScope, name.TextContent);
        Assert.Equal("https://<wbr>www<wbr>.googleapis<wbr>.com/<wbr>auth/<wbr>calendar<wbr>.readonly", name.InnerHtml);
        Assert.Equal("See the events of your Google calendars", page.Document.QuerySelector(".option .detail")!.TextContent);
    }

    [Theory]
    [InlineData("google-calendar", "Google Calendar (work)", "Connect Google Calendar (work) to Alice Example")]
    [InlineData("slack_v2", null, "Connect Slack V2 to Alice Example")]
    [InlineData("app.with.dots", null, "Connect app.with.dots to Alice Example")]
    public async Task The_connect_page_names_the_app_by_AppNames_else_by_its_id(string appId, string? name, string heading)
    {
        if (name is not null)
        {
            _authority.Connections.AppNames[appId] = name;
        }

        using var page = await _browser.OpenAsync(ConnectUrl(appId));

        Assert.Equal(heading, page.Heading);
    }

    private async Task<string> RegisterAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(_authority.RegistrationEndpoint, new
        {
            redirect_uris = new[] { RedirectUri },
            token_endpoint_auth_method = "none",
            client_name = "Calendar Assistant",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["client_id"]!;
    }

    private static string? Detail(BrowserPage page, string scope) =>
        page.Document.QuerySelectorAll("input[name=scope]").Single(i => i.GetAttribute("value") == scope).ParentElement!.QuerySelector(".detail")?.TextContent;

    private string ConnectUrl(string appId) =>
        QueryHelpers.AddQueryString(_authority.BaseUrl.AbsoluteUri + "test/outbound/connect", new Dictionary<string, string?>
        {
            ["app"] = appId, ["user"] = "U2Alice", ["scopes"] = CalendarScope,
        });
}
