namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A user of the test authority, declared with <see cref="DescopeTestAuthority.AddUser"/>: what it may be granted and what
/// its tokens say about it. The authorize endpoint grants the requested scopes that are in <see cref="Scopes"/>, never
/// more. The authorize page (<see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>) lists the user by the
/// <c>name</c> and <c>email</c> entries of <see cref="Claims"/> when they are set, and by subject.
/// </summary>
public sealed class TestUser
{
    internal TestUser(string subject) => Subject = subject;

    /// <summary>The user ID, written as <c>sub</c>.</summary>
    public string Subject { get; }

    /// <summary>The scopes the user may be granted.</summary>
    public ISet<string> Scopes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Project roles, written as the top-level <c>roles</c> claim.</summary>
    public IList<string> Roles { get; } = [];

    /// <summary>Project permissions, written as the top-level <c>permissions</c> claim.</summary>
    public IList<string> Permissions { get; } = [];

    /// <summary>Tenant memberships, written as the <c>tenants</c> claim.</summary>
    public IDictionary<string, TestTenant> Tenants { get; } = new Dictionary<string, TestTenant>(StringComparer.Ordinal);

    /// <summary>The current tenant, written as <c>dct</c>; none by default.</summary>
    public string? CurrentTenant { get; set; }

    /// <summary>Further claims for the user's tokens.</summary>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>How pages show the user: the <c>name</c> claim when <see cref="Claims"/> has one, else the subject.</summary>
    internal string DisplayName => Claims.TryGetValue("name", out var name) && name is string { Length: > 0 } text ? text : Subject;

    /// <summary>The <c>email</c> claim, if <see cref="Claims"/> has one.</summary>
    internal string? Email => Claims.TryGetValue("email", out var email) && email is string { Length: > 0 } text ? text : null;

    /// <summary>Adds a tenant membership.</summary>
    /// <param name="tenantId">The tenant ID.</param>
    /// <param name="configure">Sets the user's roles and permissions in the tenant.</param>
    /// <returns>The same user, for chaining.</returns>
    public TestUser AddTenant(string tenantId, Action<TestTenant>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var tenant = new TestTenant();
        configure?.Invoke(tenant);
        Tenants[tenantId] = tenant;
        return this;
    }
}
