namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>The user who consented and the scopes granted, or no user when consent was refused.</summary>
internal sealed record ConsentDecision(TestUser? User, string[] GrantedScopes, string? RefusalReason)
{
    public static ConsentDecision Refused(string reason) => new(null, [], reason);
}
