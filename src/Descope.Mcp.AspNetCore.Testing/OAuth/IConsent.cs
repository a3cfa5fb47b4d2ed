using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// Decides who is signing in at the authorize endpoint and what they grant the client: <see cref="AutomaticConsent"/> at
/// once, or <see cref="InteractiveConsent"/> on a page a person answers. Either way the answer goes out through
/// <see cref="AuthorizationResponse"/>, since everything before and after the decision (request checks, codes, redirects)
/// does not depend on it.
/// </summary>
internal interface IConsent
{
    /// <summary>Answers a checked authorization request, now or by showing a page.</summary>
    IResult Ask(HttpContext context, AuthorizationRequest request);
}
