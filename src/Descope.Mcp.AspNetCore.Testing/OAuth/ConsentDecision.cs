namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>The user who consented and the scopes granted, or no user when consent was refused.</summary>
internal sealed record ConsentDecision(TestUser? User, string[] GrantedScopes, string? RefusalReason)
{
    public static ConsentDecision Refused(string reason) => new(null, [], reason);

    /// <summary>
    /// The user consents to the requested scopes they may be granted (all of theirs when none were requested), limited to
    /// <paramref name="approved"/> when the person unticked some.
    /// </summary>
    public static ConsentDecision Approved(TestUser user, AuthorizationRequest request, IReadOnlySet<string>? approved = null)
    {
        var grantable = OAuthScopes.GrantableTo(user, request.Client);
        string[] granted = request.RequestedScopes.Length == 0
            ? [.. user.Scopes.Order(StringComparer.Ordinal)]
            : [.. request.RequestedScopes.Where(s => grantable.Contains(s) && (approved is null || approved.Contains(s)))];
        return new ConsentDecision(user, granted, RefusalReason: null);
    }
}
