using Microsoft.AspNetCore.Authorization;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The base of the Descope authorization attributes (<see cref="RequireScopesAttribute"/>,
/// <see cref="RequireRolesAttribute"/>, <see cref="RequirePermissionsAttribute"/>). Each carries its requirements
/// (<see cref="IAuthorizationRequirementData"/>), so the MCP SDK's authorization filters and ASP.NET Core's authorization
/// middleware both apply it without a named policy, and it authenticates with the
/// <see cref="DescopeMcpDefaults.AuthenticationScheme"/> scheme whatever the app's default scheme is.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public abstract class DescopeAuthorizationAttribute : Attribute, IAuthorizeData, IAuthorizationRequirementData
{
    private readonly IAuthorizationRequirement[] _requirements;

    private protected DescopeAuthorizationAttribute(IAuthorizationRequirement requirement) => _requirements = [requirement];

    string? IAuthorizeData.Policy
    {
        get => null;
        set => throw new NotSupportedException("Descope authorization attributes carry their own requirements; combine them with [Authorize] for a named policy.");
    }

    string? IAuthorizeData.Roles
    {
        get => null;
        set => throw new NotSupportedException("Use RequireRolesAttribute for Descope roles.");
    }

    string? IAuthorizeData.AuthenticationSchemes
    {
        get => DescopeMcpDefaults.AuthenticationScheme;
        set => throw new NotSupportedException("Descope authorization attributes always authenticate with the Descope scheme.");
    }

    /// <summary>The requirements this attribute places on the caller.</summary>
    /// <returns>The requirements; all must succeed.</returns>
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => _requirements;
}
