namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Decides who is signing in at the authorize endpoint and what they grant the client. Tests use
/// <see cref="AutomaticConsent"/>; an interactive page (pick a demo user, approve scopes) can take its place behind the same
/// endpoint, since everything before and after the decision (request checks, codes, redirects) does not depend on it.
/// </summary>
internal interface IConsent
{
    ConsentDecision Decide(AuthorizationRequest request);
}
