using System.Security.Claims;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// A Descope requirement on roles or permissions that the tool-call gate can check directly. A failure is a plain 403:
/// no scope the client could ask for would satisfy it.
/// </summary>
internal interface IDescopeClaimRequirement
{
    bool IsSatisfiedBy(ClaimsPrincipal user);
}
