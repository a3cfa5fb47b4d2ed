using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

/// <summary>
/// Where the vault's connect URL leads, through real HTTP: it connects at once for tests, or, with
/// <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>, shows "Connect app to user" to allow or cancel.
/// </summary>
public sealed class ConnectPageTests : IAsyncLifetime
{
    private const string Calendar = "google-calendar";
    private const string CalendarName = "Google Calendar";
    private const string CalendarScope = "https://www.googleapis.com/auth/calendar.readonly";
    private const string Back = "http://127.0.0.1:9/connected?step=2";

    private readonly BrowserUser _browser = new();
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true);
        _authority.AddUser("U2Alice", u => u.Claims["name"] = "Alice Example");
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task Without_interactive_consent_a_connect_URL_connects_at_once_and_redirects()
    {
        await using var automatic = await DescopeTestAuthority.StartAsync();

        using var redirected = await _browser.OpenAsync(ConnectUrl(automatic, "U2Alice", redirect: Back));
        using var done = await _browser.OpenAsync(ConnectUrl(automatic, "U2Bob"));

        Assert.Equal(HttpStatusCode.Redirect, redirected.Status);
        Assert.Equal(Back, redirected.Response.Headers.Location!.AbsoluteUri);
        Assert.NotNull(automatic.Connections.Find(Calendar, "U2Alice", null, [CalendarScope]));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Equal("Connected " + CalendarName, done.Heading);
        Assert.NotNull(automatic.Connections.Find(Calendar, "U2Bob", null, [CalendarScope]));
    }

    [Fact]
    public async Task The_page_names_the_app_the_user_and_the_scopes_and_connects_nothing_yet()
    {
        using var page = await _browser.OpenAsync(ConnectUrl(_authority, "U2Alice", tenant: "T1", redirect: Back));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal($"Connect {CalendarName} to Alice Example", page.Heading);
        Assert.Equal([CalendarScope], page.Document.QuerySelectorAll(".option .name").Select(e => e.TextContent));
        Assert.Contains("T1", page.Document.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["approve", "deny"], page.Document.QuerySelectorAll("form button").Select(b => b.GetAttribute("value")).Order());
        Assert.Null(_authority.Connections.Find(Calendar, "U2Alice", "T1", [CalendarScope]));
    }

    [Fact]
    public async Task Allow_connects_and_returns_to_the_redirect()
    {
        using var page = await _browser.OpenAsync(ConnectUrl(_authority, "U2Alice", tenant: "T1", redirect: Back));

        using var answer = await _browser.SubmitAsync(page, "approve");

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Equal(Back, answer.Response.Headers.Location!.AbsoluteUri);
        var connection = _authority.Connections.Find(Calendar, "U2Alice", "T1", [CalendarScope]);
        Assert.NotNull(connection);
        Assert.Equal([CalendarScope], connection.Scopes);
    }

    [Fact]
    public async Task Allow_without_a_redirect_shows_that_it_is_done()
    {
        using var page = await _browser.OpenAsync(ConnectUrl(_authority, "U2Alice"));

        using var answer = await _browser.SubmitAsync(page, "approve");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("Connected " + CalendarName, answer.Heading);
        Assert.Contains("Alice Example", answer.Document.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(_authority.Connections.Find(Calendar, "U2Alice", null, [CalendarScope]));
    }

    [Fact]
    public async Task Cancel_connects_nothing_and_offers_the_way_back()
    {
        using var page = await _browser.OpenAsync(ConnectUrl(_authority, "U2Alice", redirect: Back));

        using var answer = await _browser.SubmitAsync(page, "deny");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("Not connected", answer.Heading);
        Assert.Equal(Back, answer.Document.QuerySelector("a.button")!.GetAttribute("href"));
        Assert.Null(_authority.Connections.Find(Calendar, "U2Alice", null, [CalendarScope]));
    }

    [Fact]
    public async Task A_page_can_be_answered_once_and_needs_the_browser_that_opened_it()
    {
        using var page = await _browser.OpenAsync(ConnectUrl(_authority, "U2Alice"));
        using var elsewhere = new BrowserUser();
        var fields = page.HiddenFields.Append(KeyValuePair.Create("decision", "approve")).ToList();

        using var forged = await elsewhere.PostAsync(page.Url, fields);
        using var first = await _browser.SubmitAsync(page, "deny");
        using var replay = await _browser.SubmitAsync(page, "approve");

        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Equal("This form can't be accepted", forged.Heading);
        Assert.Equal("Not connected", first.Heading);
        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("This request has expired", replay.Heading);
        Assert.Null(_authority.Connections.Find(Calendar, "U2Alice", null, [CalendarScope]));
    }

    [Theory]
    [InlineData("javascript:alert(1)", "This connect link is not valid")]
    [InlineData("/relative", "This connect link is not valid")]
    [InlineData(null, "This connect link is incomplete")]
    public async Task A_bad_connect_link_gets_an_error_page(string? redirect, string heading)
    {
        var url = ConnectUrl(_authority, redirect is null ? null : "U2Alice", redirect: redirect);

        using var page = await _browser.OpenAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(heading, page.Heading);
        Assert.Empty(page.Document.Forms);
    }

    [Fact]
    public async Task A_hostile_app_user_and_scope_are_shown_as_text()
    {
        const string app = "<img src=x onerror=alert(1)>";
        var url = QueryHelpers.AddQueryString(_authority.BaseUrl.AbsoluteUri + "test/outbound/connect", new Dictionary<string, string?>
        {
            ["app"] = app, ["user"] = "<script>alert(2)</script>", ["scopes"] = "<b>x</b>",
        });

        using var page = await _browser.OpenAsync(url);

        Assert.Equal($"Connect {app} to <script>alert(2)</script>", page.Heading);
        Assert.Empty(page.Document.QuerySelectorAll("img, b, script"));
        Assert.Equal("<b>x</b>", page.Document.QuerySelector(".option .name")!.TextContent);
    }

    [Fact]
    public async Task The_connect_URL_the_vault_hands_out_opens_the_page_that_connects_the_caller()
    {
        var token = _authority.CreateToken(t =>
        {
            t.Subject = "U2Alice";
            t.Scopes.Add(TestConnectionVault.FetchScope);
        });
        using var http = new HttpClient { BaseAddress = _authority.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/mgmt/outbound/app/connect")
        {
            Content = JsonContent.Create(new { appId = Calendar, options = new { redirectUrl = Back, scopes = new[] { CalendarScope } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{_authority.ProjectId}:{token}");
        using var response = await http.SendAsync(request);
        var connectUrl = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["url"]!;

        using var page = await _browser.OpenAsync(connectUrl);
        using var answer = await _browser.SubmitAsync(page, "approve");

        Assert.Equal($"Connect {CalendarName} to Alice Example", page.Heading);
        Assert.Equal(Back, answer.Response.Headers.Location!.AbsoluteUri);
        Assert.NotNull(_authority.Connections.Find(Calendar, "U2Alice", null, [CalendarScope]));
    }

    private static string ConnectUrl(DescopeTestAuthority authority, string? user, string? tenant = null, string? redirect = null) =>
        QueryHelpers.AddQueryString(authority.BaseUrl.AbsoluteUri + "test/outbound/connect", new Dictionary<string, string?>
        {
            ["app"] = Calendar, ["user"] = user, ["tenant"] = tenant, ["scopes"] = CalendarScope, ["redirect"] = redirect,
        }.Where(p => p.Value is not null));
}
