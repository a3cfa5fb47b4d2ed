namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Consents at once, as the user named by <c>login_hint</c> or else <see cref="DescopeTestAuthority.SignedInUser"/>, to the
/// requested scopes the user may be granted (all of them when none are requested). <c>openid</c> is always grantable, and
/// <c>offline_access</c> when the client may use refresh tokens.
/// </summary>
internal sealed class AutomaticConsent(DescopeTestAuthority authority, OAuthStore store) : IConsent
{
    public ConsentDecision Decide(AuthorizationRequest request)
    {
        var subject = request.LoginHint ?? authority.SignedInUser;
        if (subject is null || !store.Users.TryGetValue(subject, out var user))
        {
            return ConsentDecision.Refused(subject is null
                ? "No user is signed in: set DescopeTestAuthority.SignedInUser or send login_hint."
                : "The user named by login_hint is not declared with DescopeTestAuthority.AddUser.");
        }

        var grantable = new HashSet<string>(user.Scopes, StringComparer.Ordinal) { OAuthScopes.OpenId };
        if (request.Client.GrantTypes.Contains(TestOAuthGrants.RefreshToken))
        {
            grantable.Add(OAuthScopes.OfflineAccess);
        }

        string[] granted = request.RequestedScopes.Length == 0
            ? [.. user.Scopes.Order(StringComparer.Ordinal)]
            : [.. request.RequestedScopes.Where(grantable.Contains)];
        return new ConsentDecision(user, granted, RefusalReason: null);
    }
}
