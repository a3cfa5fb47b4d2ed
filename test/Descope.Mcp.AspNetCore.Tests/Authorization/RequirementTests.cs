using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

public sealed class RequirementTests
{
    private const string Tenants = """{"T1":{"roles":["Tenant Admin"],"permissions":["invoices:approve"]},"T2":{"roles":["auditor"]}}""";

    private static ClaimsPrincipal User(params Claim[] claims) => new(new ClaimsIdentity(claims, "DescopeMcp"));

    private static async Task<bool> AuthorizeAsync(ClaimsPrincipal user, params DescopeAuthorizationAttribute[] attributes)
    {
        // Through ASP.NET Core's own authorization service, with nothing registered for the requirements: they handle themselves.
        await using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var policy = new AuthorizationPolicyBuilder().AddRequirements([.. attributes.SelectMany(a => a.GetRequirements())]).Build();
        return (await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, resource: null, policy)).Succeeded;
    }

    [Fact]
    public async Task RequireScopes_needs_every_listed_scope()
    {
        var attribute = new RequireScopesAttribute("calendar.read", "calendar.write");

        Assert.True(await AuthorizeAsync(User(new Claim("scope", "calendar.write calendar.read")), attribute));
        Assert.False(await AuthorizeAsync(User(new Claim("scope", "calendar.read")), attribute));
    }

    [Fact]
    public async Task Several_attributes_add_up()
    {
        Assert.False(await AuthorizeAsync(User(new Claim("scope", "a")), new RequireScopesAttribute("a"), new RequireScopesAttribute("b")));
        Assert.True(await AuthorizeAsync(User(new Claim("scope", "a b")), new RequireScopesAttribute("a"), new RequireScopesAttribute("b")));
    }

    [Fact]
    public async Task A_role_counts_as_a_project_role_or_a_role_of_the_current_tenant_only()
    {
        var attribute = new RequireRolesAttribute("Tenant Admin");

        Assert.True(await AuthorizeAsync(User(new Claim("roles", "Tenant Admin")), attribute));
        Assert.True(await AuthorizeAsync(User(new Claim("dct", "T1"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json)), attribute));
        Assert.False(await AuthorizeAsync(User(new Claim("dct", "T2"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json)), attribute));
        Assert.False(await AuthorizeAsync(User(new Claim("tenants", Tenants, JsonClaimValueTypes.Json)), attribute));
    }

    [Fact]
    public async Task Roles_may_come_partly_from_the_project_and_partly_from_the_tenant()
    {
        var user = User(new Claim("roles", "auditor"), new Claim("dct", "T1"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json));

        Assert.True(await AuthorizeAsync(user, new RequireRolesAttribute("auditor", "Tenant Admin")));
        Assert.False(await AuthorizeAsync(user, new RequireRolesAttribute("auditor", "owner")));
    }

    [Fact]
    public async Task A_permission_counts_as_a_project_permission_or_one_of_the_current_tenant()
    {
        var attribute = new RequirePermissionsAttribute("invoices:approve");

        Assert.True(await AuthorizeAsync(User(new Claim("permissions", "invoices:approve")), attribute));
        Assert.True(await AuthorizeAsync(User(new Claim("dct", "T1"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json)), attribute));
        Assert.False(await AuthorizeAsync(User(new Claim("dct", "T2"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json)), attribute));
        Assert.False(await AuthorizeAsync(User(new Claim("roles", "invoices:approve")), attribute));
    }

    [Fact]
    public void Requirements_explain_themselves()
    {
        Assert.Equal(
            "DescopeScopesRequirement: the access token must grant all of these scopes: calendar.read calendar.write",
            new DescopeScopesRequirement(["calendar.read", "calendar.write"]).ToString());
        Assert.Equal(
            "DescopeClaimsRequirement: the caller must hold all of these roles, in the project or the current tenant: Tenant Admin, auditor",
            new DescopeClaimsRequirement("roles", ["Tenant Admin", "auditor"]).ToString());
        Assert.Equal(
            "DescopeClaimsRequirement: the caller must hold all of these permissions, in the project or the current tenant: invoices:approve",
            new DescopeClaimsRequirement("permissions", ["invoices:approve"]).ToString());
    }

    [Theory]
    [InlineData]
    [InlineData("calendar read")]
    [InlineData("quote\"")]
    [InlineData("back\\slash")]
    [InlineData("")]
    [InlineData("caf\u00e9")]
    public void Scopes_that_could_not_appear_in_a_challenge_are_refused_when_the_attribute_is_made(params string[] scopes)
    {
        Assert.Throws<ArgumentException>(() => new RequireScopesAttribute(scopes));
    }

    [Fact]
    public void A_claims_requirement_is_for_roles_or_permissions_only()
    {
        Assert.Throws<ArgumentException>(() => new DescopeClaimsRequirement("groups", ["admins"]));
        Assert.Equal(["auditor"], new RequireRolesAttribute("auditor").Roles);
        Assert.Equal(["invoices:approve"], new RequirePermissionsAttribute("invoices:approve").Permissions);
    }

    [Fact]
    public void Empty_role_and_permission_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RequireRolesAttribute());
        Assert.Throws<ArgumentException>(() => new RequireRolesAttribute(" "));
        Assert.Throws<ArgumentException>(() => new RequirePermissionsAttribute(""));
    }

    [Fact]
    public void Attributes_authenticate_with_the_Descope_scheme_and_name_no_policy()
    {
        IAuthorizeData data = new RequireScopesAttribute("a");

        Assert.Equal(DescopeMcpDefaults.AuthenticationScheme, data.AuthenticationSchemes);
        Assert.Null(data.Policy);
        Assert.Null(data.Roles);
        Assert.Equal(["a", "b"], new RequireScopesAttribute("a", "b", "a").Scopes);
    }
}
