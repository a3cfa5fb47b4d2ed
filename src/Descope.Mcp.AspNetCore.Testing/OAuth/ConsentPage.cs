using Descope.Mcp.AspNetCore.Testing.Pages;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The authorize page: who asks (client name), for what (the resource), as whom (a radio list of the declared users) and
/// which scopes (ticked checkboxes, each with its <see cref="DescopeTestAuthority.ScopeDescriptions"/> entry, wrapping at
/// <c>/</c> and <c>.</c>; one the chosen user may not be granted is marked unavailable and, by the page's small
/// script, disabled, again whenever another user is picked). Without script the form still works: the server grants only
/// what the chosen user may have, whatever is posted.
/// </summary>
internal static class ConsentPage
{
    public static HtmlPage Render(HttpContext context, DescopeTestAuthority authority, AuthorizationRequest request, TestUser[] users, TestUser preselected, string pendingId)
    {
        var client = request.Client.ClientName ?? request.Client.ClientId;
        var resource = request.Resource ?? authority.DefaultAudience ?? authority.ServerAudience;
        var grantable = users.ToDictionary(u => u.Subject, u => OAuthScopes.GrantableTo(u, request.Client), StringComparer.Ordinal);

        var userOptions = Html.Join(users.Select(user => Html.Of($"""
            <label class="option"><input type="radio" name="{InteractiveConsent.UserField}" value="{user.Subject}" data-grantable="{string.Join(' ', grantable[user.Subject].Order(StringComparer.Ordinal))}" required{(user == preselected ? Checked : Html.Empty)}><span><span class="name">{user.DisplayName}</span><span class="detail"><span class="mono">{user.Subject}</span>{(user.Email is { } email ? Html.Of($" · {email}") : Html.Empty)}</span></span></label>
            """)));

        var scopes = request.RequestedScopes.Distinct(StringComparer.Ordinal).ToArray();
        var scopeOptions = scopes.Length == 0
            ? Html.Of($"""<p class="fine">{client} asks for no particular scopes: it gets the scopes the chosen user may be granted.</p>""")
            : Html.Join(scopes.Select(scope =>
            {
                var available = grantable[preselected.Subject].Contains(scope);
                return Html.Of($"""
                    <label class="option scope{(available ? Html.Empty : Unavailable)}"><input type="checkbox" name="{InteractiveConsent.ScopeField}" value="{scope}" checked><span><span class="name mono">{Html.Breakable(scope)}</span>{(authority.ScopeDescriptions.TryGetValue(scope, out var description) ? Html.Of($"""<span class="detail">{description}</span>""") : Html.Empty)}<span class="note">Not available to the chosen user</span></span></label>
                    """);
            }));

        var body = Html.Of($"""
            <p class="lead"><strong>{client}</strong> wants to access {(resource is null ? Html.Of($"this MCP server") : Html.Of($"<code>{resource}</code>"))} on your behalf.</p>
            <form id="consent" method="post" action="{context.Request.PathBase + context.Request.Path + OAuthEndpoints.ConsentSuffix}">
            {PageForm.HiddenFields(context, pendingId)}
            <fieldset><legend>Sign in as</legend>
            {userOptions}
            </fieldset>
            <fieldset><legend>Allow access to</legend>
            {scopeOptions}
            </fieldset>
            <div class="actions"><button type="submit" name="{PageForm.DecisionField}" value="{PageForm.Deny}" formnovalidate>Deny</button><button class="primary" type="submit" name="{PageForm.DecisionField}" value="{PageForm.Approve}">Approve</button></div>
            </form>
            <p class="fine">Approving sends you back to {request.RedirectUri}. This is the offline Descope test authority: it asks for no password, and any declared demo user can be chosen.</p>
            """);

        return new HtmlPage("Authorize " + client, body, script: nonce => Html.Of($$"""
            <script nonce="{{nonce}}">
            const form = document.getElementById('consent');
            const update = () => {
              const user = form.querySelector('input[name="{{InteractiveConsent.UserField}}"]:checked');
              const grantable = new Set((user ? user.dataset.grantable : '').split(' '));
              for (const box of form.querySelectorAll('input[name="{{InteractiveConsent.ScopeField}}"]')) {
                const available = grantable.has(box.value);
                box.disabled = !available;
                box.closest('.scope').classList.toggle('unavailable', !available);
              }
            };
            form.addEventListener('change', event => { if (event.target.name === '{{InteractiveConsent.UserField}}') update(); });
            update();
            </script>
            """));
    }

    private static Html Checked => Html.Of($" checked");

    private static Html Unavailable => Html.Of($" unavailable");
}
