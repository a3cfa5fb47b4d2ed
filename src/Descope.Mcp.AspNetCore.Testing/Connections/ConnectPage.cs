using Descope.Mcp.AspNetCore.Testing.OAuth;
using Descope.Mcp.AspNetCore.Testing.Pages;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.Connections;

/// <summary>
/// Where a connect URL from the vault leads: it stores the connection and returns to the redirect, or shows that it is
/// done. With <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/> a person first sees "Connect app to user", the
/// app by its name (<see cref="TestConnectionVault.AppNames"/>), with the scopes and their descriptions
/// (<see cref="DescopeTestAuthority.ScopeDescriptions"/>), and allows or cancels; the request waits on the server under a
/// one-time ID meanwhile.
/// </summary>
internal sealed class ConnectPage(DescopeTestAuthority authority)
{
    private readonly PendingRequests<ConnectRequest> _pending = new(authority.TimeProvider);

    /// <summary>Answers a connect URL: connects at once, or shows the page.</summary>
    public IResult Open(HttpContext context, string? app, string? user, string? tenant, string? scopes, string? redirect)
    {
        if (string.IsNullOrEmpty(app) || string.IsNullOrEmpty(user))
        {
            return HtmlPage.Error("This connect link is incomplete", "It names no app or no user. Ask the application for a new link.");
        }

        Uri? target = null;
        if (redirect is not null
            && !(Uri.TryCreate(redirect, UriKind.Absolute, out target) && (target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps)))
        {
            return HtmlPage.Error("This connect link is not valid", "It would send you back to an address that is not an http or https URL. Ask the application for a new link.");
        }

        var request = new ConnectRequest(app, user, string.IsNullOrEmpty(tenant) ? null : tenant, OAuthScopes.Parse(scopes), target);
        return authority.UsesInteractiveConsent ? Show(context, request) : Connect(request);
    }

    /// <summary>Answers the page's form: Allow connects, Cancel leaves things as they were.</summary>
    public async Task<IResult> AnswerAsync(HttpContext context)
    {
        var (posted, problem) = await PageForm.ReadAsync(context, _pending);
        if (posted is null)
        {
            return problem!;
        }

        if (!_pending.TryTake(posted.PendingId))
        {
            return PageForm.Expired();
        }

        var request = posted.Request;
        if (posted.Approved)
        {
            return Connect(request);
        }

        var back = request.Redirect is { } target ? Html.Of($"""<p><a class="button" href="{target.AbsoluteUri}">Back to the application</a></p>""") : Html.Empty;
        return new HtmlPage("Not connected", Html.Of($"""
            <p class="lead"><strong>{AppName(request.AppId)}</strong> was not connected for <strong>{UserName(request.UserId)}</strong>. You can close this page.</p>
            {back}
            """));
    }

    private IResult Connect(ConnectRequest request)
    {
        authority.Connections.AddUserConnection(request.AppId, request.UserId, request.Scopes, request.TenantId);
        return request.Redirect is { } target
            ? Results.Redirect(target.AbsoluteUri)
            : new HtmlPage("Connected " + AppName(request.AppId), Html.Of($"""
                <p class="lead"><strong>{AppName(request.AppId)}</strong> is connected for <strong>{UserName(request.UserId)}</strong>. You can close this page and go back to the application.</p>
                """));
    }

    private HtmlPage Show(HttpContext context, ConnectRequest request)
    {
        var pendingId = _pending.Add(request);
        var user = UserName(request.UserId);
        var app = AppName(request.AppId);
        var appId = app == request.AppId ? Html.Empty : Html.Of($""" <span class="mono">({request.AppId})</span>""");
        var tenant = request.TenantId is { } id ? Html.Of($" in tenant <code>{id}</code>") : Html.Empty;
        var scopes = request.Scopes.Length == 0
            ? Html.Of($"""<p class="fine">No particular scopes are asked for: the connection gets the app's default scopes.</p>""")
            : Html.Of($"""<div class="scopes">{Html.Join(request.Scopes.Select(scope => Html.Of($"""<div class="option"><span><span class="name mono">{Html.Breakable(scope)}</span>{(authority.ScopeDescriptions.TryGetValue(scope, out var description) ? Html.Of($"""<span class="detail">{description}</span>""") : Html.Empty)}</span></div>""")))}</div>""");
        var returnTo = request.Redirect is { } target ? Html.Of($" and sends you back to {target.AbsoluteUri}") : Html.Empty;

        return new HtmlPage($"Connect {app} to {user}", Html.Of($"""
            <p class="lead">The application asks to connect <strong>{app}</strong>{appId} for <strong>{user}</strong>{tenant}, so that it can get tokens for it{(request.Scopes.Length == 0 ? Html.Of($".") : Html.Of($" with these scopes:"))}</p>
            {scopes}
            <form method="post" action="{context.Request.PathBase + context.Request.Path}">
            {PageForm.HiddenFields(context, pendingId)}
            <div class="actions"><button type="submit" name="{PageForm.DecisionField}" value="{PageForm.Deny}">Cancel</button><button class="primary" type="submit" name="{PageForm.DecisionField}" value="{PageForm.Approve}">Allow</button></div>
            </form>
            <p class="fine">Allowing stores the connection in the test authority's vault{returnTo}. No account at {app} is involved: the vault issues stand-in tokens.</p>
            """));
    }

    private string AppName(string appId) => authority.Connections.AppName(appId);

    private string UserName(string userId) => authority.OAuth.Users.TryGetValue(userId, out var user) ? user.DisplayName : userId;
}
