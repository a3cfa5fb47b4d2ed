using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.AuthorizationRequests;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// The authorize page of <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>, through real HTTP as a browser uses
/// it: the page is parsed as HTML, its form is posted back, and the redirect, code and token are checked.
/// </summary>
public sealed class ConsentPageTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private const string Resource = "https://mcp.example.test/mcp";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly BrowserUser _browser = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o =>
        {
            o.InteractiveConsent = true;
            o.TimeProvider = _time;
        });
        _authority.AddUser("U2Alice", u =>
        {
            u.Scopes.Add("calendar.read");
            u.Scopes.Add("calendar.write");
            u.Claims["name"] = "Alice Example";
            u.Claims["email"] = "alice@example.test";
        });
        _authority.AddUser("U2Bob", u =>
        {
            u.Scopes.Add("calendar.read");
            u.Claims["name"] = "Bob Example";
        });
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task The_page_shows_the_client_the_resource_the_declared_users_and_the_requested_scopes_ticked()
    {
        var client = await RegisterAsync("Calendar Assistant");

        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read calendar.write openid", Challenge(Verifier())));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Authorize Calendar Assistant", page.Heading);
        Assert.Equal(Resource, page.Document.QuerySelector(".lead code")!.TextContent);
        var users = Radios(page, "user");
        Assert.Equal(["U2Alice", "U2Bob"], users.Select(u => u.Value));
        Assert.Equal(["U2Alice"], users.Where(u => u.IsChecked).Select(u => u.Value));
        Assert.Contains("Alice Example", Label(users[0]), StringComparison.Ordinal);
        Assert.Contains("alice@example.test", Label(users[0]), StringComparison.Ordinal);
        Assert.Contains("Bob Example", Label(users[1]), StringComparison.Ordinal);
        var scopes = Checkboxes(page, "scope");
        Assert.Equal(["calendar.read", "calendar.write", "openid"], scopes.Select(s => s.Value));
        Assert.All(scopes, s => Assert.True(s.IsChecked && !s.IsDisabled && !s.ParentElement!.ClassList.Contains("unavailable")));
        Assert.Equal(["approve", "deny"], page.Document.QuerySelectorAll<IHtmlButtonElement>("form button").Select(b => b.Value).Order());
    }

    [Fact]
    public async Task A_scope_the_preselected_user_may_not_be_granted_is_shown_unavailable()
    {
        var client = await RegisterAsync("Calendar Assistant");

        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read calendar.write", Challenge(Verifier()), loginHint: "U2Bob"));

        Assert.Equal(["U2Bob"], Radios(page, "user").Where(u => u.IsChecked).Select(u => u.Value));
        var write = Checkboxes(page, "scope").Single(s => s.Value == "calendar.write");
        Assert.Contains("unavailable", write.ParentElement!.ClassList);
        Assert.Contains("Not available to the chosen user", write.ParentElement!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("unavailable", Checkboxes(page, "scope").Single(s => s.Value == "calendar.read").ParentElement!.ClassList);
        Assert.Equal("calendar.read", Radios(page, "user").Single(u => u.Value == "U2Bob").GetAttribute("data-grantable")!.Split(' ').Except(["openid", "offline_access"]).Single());
    }

    [Fact]
    public async Task Approving_as_the_chosen_user_redirects_with_a_code_for_that_user_and_the_ticked_scopes()
    {
        var client = await RegisterAsync("Calendar Assistant");
        var verifier = Verifier();
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read calendar.write offline_access", Challenge(verifier)));

        using var answer = await _browser.SubmitAsync(page, "approve", form =>
        {
            Choose(form, "user", "U2Alice");
            Uncheck(form, "scope", "calendar.read");
        });

        var query = RedirectQuery(answer);
        Assert.Equal("xyz", query["state"]);
        Assert.Equal(_authority.Issuer, query["iss"]);
        var tokens = await RedeemAsync(client, query["code"]!, verifier);
        Assert.Equal("calendar.write offline_access", (string?)tokens["scope"]);
        Assert.False(string.IsNullOrEmpty((string?)tokens["refresh_token"]));
        var token = new JsonWebToken((string)tokens["access_token"]!);
        Assert.Equal("U2Alice", token.Subject);
        Assert.Equal([Resource], token.Audiences);
    }

    [Fact]
    public async Task A_user_who_unticks_offline_access_grants_the_rest_without_a_refresh_token()
    {
        var client = await RegisterAsync("Calendar Assistant");
        var verifier = Verifier();
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read offline_access", Challenge(verifier)));

        using var answer = await _browser.SubmitAsync(page, "approve", form =>
        {
            Choose(form, "user", "U2Alice");
            Uncheck(form, "scope", "offline_access");
        });

        var tokens = await RedeemAsync(client, RedirectQuery(answer)["code"]!, verifier);
        Assert.Equal("calendar.read", (string?)tokens["scope"]);
        Assert.Null(tokens["refresh_token"]);
    }

    [Fact]
    public async Task Picking_another_user_signs_in_as_that_user_with_only_what_they_may_be_granted()
    {
        var client = await RegisterAsync("Calendar Assistant");
        var verifier = Verifier();
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read calendar.write", Challenge(verifier)));

        // Bob may not have calendar.write; without the page's script the box stays enabled and ticked, and is posted.
        using var answer = await _browser.SubmitAsync(page, "approve", form => Choose(form, "user", "U2Bob"));

        var tokens = await RedeemAsync(client, RedirectQuery(answer)["code"]!, verifier);
        Assert.Equal("calendar.read", (string?)tokens["scope"]);
        Assert.Equal("U2Bob", new JsonWebToken((string)tokens["access_token"]!).Subject);
    }

    [Fact]
    public async Task A_scope_the_client_did_not_ask_for_is_not_granted_when_a_crafted_form_adds_it()
    {
        var client = await RegisterAsync("Calendar Assistant");
        var verifier = Verifier();
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(verifier)));
        var fields = page.HiddenFields.Append(KeyValuePair.Create("user", "U2Alice"))
            .Append(KeyValuePair.Create("scope", "calendar.read"))
            .Append(KeyValuePair.Create("scope", "calendar.write"))
            .Append(KeyValuePair.Create("decision", "approve"));

        using var answer = await _browser.PostAsync(ConsentUrl, fields);

        Assert.Equal("calendar.read", (string?)(await RedeemAsync(client, RedirectQuery(answer)["code"]!, verifier))["scope"]);
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_the_state()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));

        using var answer = await _browser.SubmitAsync(page, "deny");

        var query = RedirectQuery(answer);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("xyz", query["state"]);
        Assert.Equal(_authority.Issuer, query["iss"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task A_page_can_be_answered_once_and_a_replay_gets_an_error_page()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));

        using var first = await _browser.SubmitAsync(page, "approve");
        using var replay = await _browser.SubmitAsync(page, "approve");
        using var deniedReplay = await _browser.SubmitAsync(page, "deny");

        Assert.Equal(HttpStatusCode.Redirect, first.Status);
        AssertErrorPage(replay, "This request has expired");
        AssertErrorPage(deniedReplay, "This request has expired");
    }

    [Theory]
    [InlineData("not-a-pending-id")]
    [InlineData("")]
    public async Task An_unknown_pending_id_gets_an_error_page_and_no_redirect(string pendingId)
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));
        var fields = page.HiddenFields;
        fields["pending"] = pendingId;

        using var answer = await _browser.PostAsync(ConsentUrl, fields.Append(KeyValuePair.Create("user", "U2Alice")).Append(KeyValuePair.Create("decision", "approve")));

        AssertErrorPage(answer, "This request has expired");
    }

    [Fact]
    public async Task A_page_left_open_too_long_expires()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));

        _time.Advance(TimeSpan.FromMinutes(11));
        using var answer = await _browser.SubmitAsync(page, "approve");

        AssertErrorPage(answer, "This request has expired");
    }

    [Fact]
    public async Task A_form_posted_without_the_browser_cookie_or_token_is_refused_and_the_page_still_works()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));
        var fields = page.HiddenFields.Append(KeyValuePair.Create("user", "U2Alice")).Append(KeyValuePair.Create("decision", "approve")).ToList();

        // Another browser (no cookie) with the page's fields; this browser without the token.
        using var elsewhere = new BrowserUser();
        using var forged = await elsewhere.PostAsync(ConsentUrl, fields);
        using var tokenless = await _browser.PostAsync(ConsentUrl, fields.Where(f => f.Key != "__RequestVerificationToken"));
        using var empty = await _browser.PostAsync(ConsentUrl, []);

        AssertErrorPage(forged, "This form can't be accepted");
        AssertErrorPage(tokenless, "This form can't be accepted");
        AssertErrorPage(empty, "This form can't be accepted");
        using var answer = await _browser.SubmitAsync(page, "approve");
        Assert.True(RedirectQuery(answer).ContainsKey("code"));
    }

    [Fact]
    public async Task A_form_over_the_limits_or_not_a_form_gets_an_error_page_and_the_page_still_works()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));
        var flood = page.HiddenFields.Concat(Enumerable.Range(0, 2000).Select(i => KeyValuePair.Create("scope", "s" + i)));

        using var tooMany = await _browser.PostAsync(ConsentUrl, flood);
        using var json = await _http.PostAsJsonAsync(ConsentUrl, new { pending = page.HiddenFields["pending"] });

        AssertErrorPage(tooMany, "This form can't be read");
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("text/html", json.Content.Headers.ContentType!.MediaType);
        using var answer = await _browser.SubmitAsync(page, "approve");
        Assert.True(RedirectQuery(answer).ContainsKey("code"));
    }

    [Fact]
    public async Task Approving_without_a_declared_user_gets_an_error_page_and_the_page_can_be_answered_again()
    {
        var client = await RegisterAsync("Calendar Assistant");
        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));

        using var unknown = await _browser.PostAsync(ConsentUrl, page.HiddenFields.Append(KeyValuePair.Create("user", "U2Mallory")).Append(KeyValuePair.Create("decision", "approve")));
        using var answer = await _browser.SubmitAsync(page, "approve");

        AssertErrorPage(unknown, "Choose a user");
        Assert.True(RedirectQuery(answer).ContainsKey("code"));
    }

    [Fact]
    public async Task A_hostile_client_name_scope_and_resource_are_shown_as_text_never_as_markup()
    {
        const string name = """<script>alert("name")</script><img src=x onerror=alert(1)>&amp;'""";
        var client = await RegisterAsync(name);
        var url = AuthorizeUrl(client, "<b>bold</b> calendar.read", Challenge(Verifier()), resource: "https://mcp.example.test/\"><script>alert(2)</script>");

        using var page = await _browser.OpenAsync(url);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Authorize " + name, page.Heading);
        Assert.Equal(name, page.Document.QuerySelector(".lead strong")!.TextContent);
        Assert.Equal("Authorize " + name + " · Descope test authority", page.Document.Title);
        Assert.Equal(["<b>bold</b>", "calendar.read"], Checkboxes(page, "scope").Select(s => s.Value));
        Assert.Empty(page.Document.QuerySelectorAll("img, b"));
        var script = Assert.Single(page.Document.Scripts);
        Assert.False(string.IsNullOrEmpty(script.GetAttribute("nonce")));
        Assert.DoesNotContain("<script>alert", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_allow_no_other_script_no_framing_and_no_caching()
    {
        var client = await RegisterAsync("Calendar Assistant");

        using var page = await _browser.OpenAsync(AuthorizeUrl(client, "calendar.read", Challenge(Verifier())));

        var policy = string.Join(' ', page.Response.Headers.GetValues("Content-Security-Policy"));
        var nonce = page.Document.Scripts.Single().GetAttribute("nonce");
        Assert.Contains($"script-src 'nonce-{nonce}'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("no-store", page.Response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", page.Response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("text/html", page.Response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("client_id", "unknown")]
    [InlineData("redirect_uri", "http://evil.example/cb")]
    public async Task Requests_that_fail_the_checks_get_no_page(string parameter, string value)
    {
        var client = await RegisterAsync("Calendar Assistant");
        var url = AuthorizeUrl(client, "calendar.read", Challenge(Verifier()));
        var query = QueryHelpers.ParseQuery(new Uri(url).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query[parameter] = value;

        using var page = await _browser.OpenAsync(QueryHelpers.AddQueryString(_authority.AuthorizationEndpoint, query));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("application/json", page.Response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Without_declared_users_the_page_says_how_to_declare_them()
    {
        await using var empty = await DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true);
        empty.AddClient("C2Native", c => c.RedirectUris.Add(RedirectUri));
        var url = AuthorizationRequests.AuthorizeUrl(empty, "C2Native", RedirectUri, Challenge(Verifier()));

        using var page = await _browser.OpenAsync(url);

        AssertErrorPage(page, "No users to sign in as");
        Assert.Contains("DescopeTestAuthority.AddUser", page.Document.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_interactive_consent_there_is_no_consent_page_to_post_to()
    {
        await using var automatic = await DescopeTestAuthority.StartAsync();

        using var response = await _http.PostAsync(automatic.AuthorizationEndpoint + "/consent", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompleteAuthorizationAsync_answers_the_page_as_the_signed_in_user_approving_every_requested_scope(bool inProcess)
    {
        await using var authority = await DescopeTestAuthority.StartAsync(o =>
        {
            o.InProcess = inProcess;
            o.InteractiveConsent = true;
        });
        authority.AddUser("U2Alice", u => u.Scopes.Add("calendar.read"));
        authority.AddUser("U2Carol", u => u.Scopes.Add("calendar.read"));
        authority.SignedInUser = "U2Carol";
        authority.AddClient("C2Native", c => c.RedirectUris.Add(RedirectUri));
        var verifier = Verifier();
        var url = AuthorizationRequests.AuthorizeUrl(authority, "C2Native", RedirectUri, Challenge(verifier), "calendar.read calendar.write", state: "s1");

        var result = await authority.CompleteAuthorizationAsync(new() { AuthorizationUri = new Uri(url), RedirectUri = new Uri(RedirectUri) }, CancellationToken.None);

        Assert.Equal("s1", result!.State);
        Assert.Equal(authority.Issuer, result.Iss);
        using var http = new HttpClient(inProcess ? authority.CreateHandler() : new SocketsHttpHandler());
        using var redeemed = await http.PostAsync(authority.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = result.Code!, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier, ["client_id"] = "C2Native",
        }));
        var tokens = JsonNode.Parse(await redeemed.Content.ReadAsStringAsync())!;
        Assert.Equal("calendar.read", (string?)tokens["scope"]);
        Assert.Equal("U2Carol", new JsonWebToken((string)tokens["access_token"]!).Subject);
    }

    [Fact]
    public async Task CompleteAuthorizationAsync_says_why_it_cannot_answer_the_page()
    {
        _authority.AddClient("C2Native", c => c.RedirectUris.Add(RedirectUri));
        var url = AuthorizationRequests.AuthorizeUrl(_authority, "C2Native", RedirectUri, Challenge(Verifier()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _authority.CompleteAuthorizationAsync(new() { AuthorizationUri = new Uri(url), RedirectUri = new Uri(RedirectUri) }, CancellationToken.None));

        Assert.Contains("No user is signed in", error.Message, StringComparison.Ordinal);
    }

    private Uri ConsentUrl => new(_authority.AuthorizationEndpoint + "/consent");

    private static void AssertErrorPage(BrowserPage page, string heading)
    {
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Null(page.Response.Headers.Location);
        Assert.Equal(heading, page.Heading);
        Assert.Empty(page.Document.Forms);
    }

    private static Dictionary<string, string?> RedirectQuery(BrowserPage answer)
    {
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        var location = answer.Response.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.AbsoluteUri, StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
    }

    private static IHtmlInputElement[] Radios(BrowserPage page, string name) =>
        [.. page.Document.QuerySelectorAll<IHtmlInputElement>($"form input[type=radio][name={name}]")];

    private static IHtmlInputElement[] Checkboxes(BrowserPage page, string name) =>
        [.. page.Document.QuerySelectorAll<IHtmlInputElement>($"form input[type=checkbox][name={name}]")];

    private static string Label(IHtmlInputElement input) => input.Closest("label")!.TextContent;

    private static void Choose(IHtmlFormElement form, string name, string value)
    {
        foreach (var radio in form.QuerySelectorAll<IHtmlInputElement>($"input[type=radio][name={name}]"))
        {
            radio.IsChecked = radio.Value == value;
        }
    }

    private static void Uncheck(IHtmlFormElement form, string name, string value) =>
        form.QuerySelectorAll<IHtmlInputElement>($"input[name={name}]").Single(i => i.Value == value).IsChecked = false;

    private async Task<JsonObject> RegisterAsync(string clientName)
    {
        using var response = await _http.PostAsJsonAsync(_authority.RegistrationEndpoint, new
        {
            redirect_uris = new[] { RedirectUri },
            token_endpoint_auth_method = "none",
            client_name = clientName,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private string AuthorizeUrl(JsonObject client, string scope, string challenge, string? loginHint = null, string resource = Resource) =>
        AuthorizationRequests.AuthorizeUrl(_authority, (string)client["client_id"]!, RedirectUri, challenge, scope, state: "xyz", resource: resource, loginHint: loginHint);

    private async Task<JsonNode> RedeemAsync(JsonObject client, string code, string verifier)
    {
        using var response = await _http.PostAsync(_authority.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = (string)client["client_id"]!,
            ["resource"] = Resource,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
