namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>A user's roles and permissions in one tenant.</summary>
public sealed class TestTenant
{
    /// <summary>The user's roles in the tenant.</summary>
    public IList<string> Roles { get; } = [];

    /// <summary>The user's permissions in the tenant.</summary>
    public IList<string> Permissions { get; } = [];
}
