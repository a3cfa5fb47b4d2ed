using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Consents at once, as the user named by <c>login_hint</c> or else <see cref="DescopeTestAuthority.SignedInUser"/>, to the
/// requested scopes the user may be granted (all of them when none are requested).
/// </summary>
internal sealed class AutomaticConsent(DescopeTestAuthority authority) : IConsent
{
    public IResult Ask(HttpContext context, AuthorizationRequest request)
    {
        var (user, refusal) = authority.FindSignedInUser(request.LoginHint);
        return AuthorizationResponse.Send(authority, request, user is null ? ConsentDecision.Refused(refusal!) : ConsentDecision.Approved(user, request));
    }
}
