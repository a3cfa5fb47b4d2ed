using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Tests.OAuth;

/// <summary>
/// The MCP SDK's own client against an authority with <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>: its
/// authorization handler plays the person at the browser (opens the page, picks a user, approves), for the first
/// authorization and for the step-up.
/// </summary>
public sealed class McpClientConsentPageTests : McpServerTests
{
    private const string ClientName = "Consent page test client";

    private readonly BrowserUser _person = new();
    private readonly List<string[]> _scopesShown = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Authority.AddUser("U2Alice", user => user.Scopes.Add("mcp.access"));
        Authority.AddUser("U2Bob", user =>
        {
            user.Scopes.Add("mcp.access");
            user.Scopes.Add("calendar.read");
            user.Scopes.Add("calendar.write");
        });
    }

    public override async Task DisposeAsync()
    {
        _person.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Client_is_authorized_by_the_user_the_person_picks_on_the_page_and_steps_up_through_the_page_again()
    {
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>().WithTools<TestTools>(), o => o.RequiredScopes.Add("mcp.access"));

        await using var client = await server.ConnectWithOAuthAsync(Authority, PickBobAndApproveAsync, ClientName);

        Assert.Equal("U2Bob", Text(await client.CallToolAsync("whoami")));
        Assert.DoesNotContain("create_event", (await client.ListToolsAsync()).Select(t => t.Name));

        var created = await client.CallToolAsync("create_event", new Dictionary<string, object?> { ["title"] = "standup" });

        Assert.Equal("created standup", Text(created));
        Assert.Contains("create_event", (await client.ListToolsAsync()).Select(t => t.Name));
        Assert.Equal(2, _scopesShown.Count);
        Assert.Contains("mcp.access", _scopesShown[0]);
        Assert.Contains("calendar.write", _scopesShown[1]);
    }

    [Fact]
    public async Task A_person_who_denies_leaves_the_client_unauthorized()
    {
        var server = await StartServerAsync(m => m.WithTools<TestTools>(), o => o.RequiredScopes.Add("mcp.access"));

        async Task<AuthorizationResult?> DenyAsync(AuthorizationCallbackContext context, CancellationToken cancellationToken)
        {
            using var page = await _person.OpenAsync(context.AuthorizationUri.AbsoluteUri, cancellationToken);
            using var answer = await _person.SubmitAsync(page, "deny", cancellationToken: cancellationToken);
            var query = QueryHelpers.ParseQuery(answer.Response.Headers.Location!.Query);
            Assert.Equal("access_denied", query["error"]);
            throw new InvalidOperationException("The person denied access.");
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectWithOAuthAsync(Authority, DenyAsync, ClientName));

        Assert.Contains("The person denied access.", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, Authority.Requests.To($"/oauth2/v1/apps/agentic/{Authority.ProjectId}/{Authority.McpServerId}/token"));
    }

    protected override void ConfigureAuthority(DescopeTestAuthorityOptions options) => options.InteractiveConsent = true;

    private async Task<AuthorizationResult?> PickBobAndApproveAsync(AuthorizationCallbackContext context, CancellationToken cancellationToken)
    {
        using var page = await _person.OpenAsync(context.AuthorizationUri.AbsoluteUri, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Authorize " + ClientName, page.Heading);
        _scopesShown.Add([.. page.Document.QuerySelectorAll<IHtmlInputElement>("input[name=scope]").Select(s => s.Value)]);

        using var answer = await _person.SubmitAsync(
            page,
            "approve",
            form =>
            {
                foreach (var user in form.QuerySelectorAll<IHtmlInputElement>("input[name=user]"))
                {
                    user.IsChecked = user.Value == "U2Bob";
                }
            },
            cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        var location = answer.Response.Headers.Location!;
        Assert.StartsWith(context.RedirectUri.AbsoluteUri, location.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);
        return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
}
