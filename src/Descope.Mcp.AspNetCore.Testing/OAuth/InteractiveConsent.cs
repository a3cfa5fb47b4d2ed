using Descope.Mcp.AspNetCore.Testing.Pages;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Consent a person gives on a page: they pick one of the declared users and approve or deny the requested scopes. The
/// checked request waits on the server under a one-time ID; the page's form posts that ID, an anti-forgery token, the
/// user and the ticked scopes, and the answer goes out through <see cref="AuthorizationResponse"/> like automatic consent's.
/// </summary>
internal sealed class InteractiveConsent(DescopeTestAuthority authority) : IConsent
{
    public const string UserField = "user";
    public const string ScopeField = "scope";

    private readonly PendingRequests<AuthorizationRequest> _pending = new(authority.TimeProvider);

    public IResult Ask(HttpContext context, AuthorizationRequest request)
    {
        var users = authority.OAuth.Users.Values.OrderBy(u => u.Subject, StringComparer.Ordinal).ToArray();
        if (users.Length == 0)
        {
            return HtmlPage.Error(
                "No users to sign in as",
                "The test authority has no demo users. Declare them with DescopeTestAuthority.AddUser, then start again from the application.");
        }

        var preselected = authority.FindSignedInUser(request.LoginHint).User ?? users[0];
        var pendingId = _pending.Add(request);
        return ConsentPage.Render(context, authority, request, users, preselected, pendingId);
    }

    /// <summary>Answers the page's form: a code for the chosen user and the ticked scopes, or <c>access_denied</c>.</summary>
    public async Task<IResult> AnswerAsync(HttpContext context)
    {
        var (posted, problem) = await PageForm.ReadAsync(context, _pending);
        if (posted is null)
        {
            return problem!;
        }

        ConsentDecision decision;
        if (posted.Approved)
        {
            var subject = posted.Form[UserField];
            if (subject.Count != 1 || !authority.OAuth.Users.TryGetValue(subject.ToString(), out var user))
            {
                return HtmlPage.Error("Choose a user", "Go back, pick one of the listed users to sign in as, then approve.");
            }

            var ticked = posted.Form[ScopeField].OfType<string>().ToHashSet(StringComparer.Ordinal);
            decision = ConsentDecision.Approved(user, posted.Request, ticked);
        }
        else
        {
            decision = ConsentDecision.Refused("The user denied the request.");
        }

        return _pending.TryTake(posted.PendingId) ? AuthorizationResponse.Send(authority, posted.Request, decision) : PageForm.Expired();
    }
}
