using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Descope.Mcp.AspNetCore.Tests.Claims;

public sealed class DescopeClaimsPrincipalExtensionsTests
{
    private const string Tenants = """{"T1":{"roles":["Tenant Admin","viewer"],"permissions":["invoices:approve"]},"T2":{"roles":["viewer"]}}""";

    /// <summary>A principal shaped as the library builds it: raw JWT claim names, arrays as repeated claims, JSON objects as one JSON claim.</summary>
    private static ClaimsPrincipal User(params Claim[] claims) => new(new ClaimsIdentity(claims, "DescopeMcp"));

    [Fact]
    public void User_id_client_id_and_current_tenant_come_from_sub_azp_and_dct()
    {
        var user = User(new Claim("sub", "U2Alice"), new Claim("azp", "C2Client"), new Claim("dct", "T1"));

        Assert.Equal("U2Alice", user.GetUserId());
        Assert.Equal("C2Client", user.GetClientId());
        Assert.Equal("T1", user.GetCurrentTenant());
    }

    [Fact]
    public void Absent_or_empty_claims_read_as_null_or_empty()
    {
        var user = User(new Claim("sub", ""));

        Assert.Null(user.GetUserId());
        Assert.Null(user.GetClientId());
        Assert.Null(user.GetCurrentTenant());
        Assert.Empty(user.GetScopes());
        Assert.Empty(user.GetRoles());
        Assert.Empty(user.GetTenants());
        Assert.Empty(user.GetTenantRoles());
        Assert.Empty(user.GetTenantPermissions("T1"));
    }

    [Fact]
    public void Scopes_are_read_from_the_scope_string_and_the_scp_and_scopes_arrays_each_once_in_token_order()
    {
        var user = User(
            new Claim("scope", "calendar.read  calendar.write"),
            new Claim("scp", "mail.send"),
            new Claim("scp", "calendar.read"),
            new Claim("scopes", "files.read"));

        Assert.Equal(["calendar.read", "calendar.write", "mail.send", "files.read"], user.GetScopes());
        Assert.True(user.HasScopes("calendar.write", "files.read"));
        Assert.False(user.HasScopes("calendar.write", "calendar"));
    }

    [Fact]
    public void A_scope_matches_only_as_a_whole_space_separated_token()
    {
        var user = User(new Claim("scope", "calendar.readwrite admin:all"));

        Assert.False(user.HasScopes("calendar.read"));
        Assert.False(user.HasScopes("admin"));
        Assert.True(user.HasScopes("admin:all"));
    }

    [Fact]
    public void Project_roles_and_permissions_come_from_the_top_level_claims()
    {
        var user = User(new Claim("roles", "admin"), new Claim("roles", "viewer"), new Claim("permissions", "users:read"));

        Assert.Equal(["admin", "viewer"], user.GetRoles());
        Assert.Equal(["users:read"], user.GetPermissions());
    }

    [Fact]
    public void Tenant_roles_and_permissions_are_those_of_the_current_tenant_unless_a_tenant_is_named()
    {
        var user = User(new Claim("dct", "T1"), new Claim("tenants", Tenants, JsonClaimValueTypes.Json));

        Assert.Equal(["T1", "T2"], user.GetTenants());
        Assert.Equal(["Tenant Admin", "viewer"], user.GetTenantRoles());
        Assert.Equal(["invoices:approve"], user.GetTenantPermissions());
        Assert.Equal(["viewer"], user.GetTenantRoles("T2"));
        Assert.Empty(user.GetTenantPermissions("T2"));
        Assert.Empty(user.GetTenantRoles("T3"));
    }

    [Fact]
    public void Without_a_current_tenant_no_tenant_roles_apply()
    {
        var user = User(new Claim("tenants", Tenants, JsonClaimValueTypes.Json));

        Assert.Empty(user.GetTenantRoles());
        Assert.Equal(["viewer"], user.GetTenantRoles("T2"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"T1":"admin"}""")]
    [InlineData("""{"T1":{"roles":"admin"}}""")]
    [InlineData("""{"T1":{"roles":[1,null,{"a":1}]}}""")]
    public void A_malformed_tenants_claim_grants_nothing_and_never_throws(string tenants)
    {
        var user = User(new Claim("dct", "T1"), new Claim("tenants", tenants, JsonClaimValueTypes.Json));

        Assert.Empty(user.GetTenantRoles());
        Assert.Empty(user.GetTenantPermissions());
    }

    [Fact]
    public void RequireScopes_passes_when_every_scope_is_granted()
    {
        var user = User(new Claim("scope", "calendar.read calendar.write"));

        user.RequireScopes("calendar.read", "calendar.write");
    }

    [Fact]
    public void RequireScopes_throws_InsufficientScopeException_naming_what_is_missing()
    {
        var user = User(new Claim("scope", "calendar.read profile"));

        var error = Assert.Throws<InsufficientScopeException>(() => user.RequireScopes("calendar.read", "calendar.write"));

        Assert.Equal(["calendar.read", "calendar.write"], error.RequiredScopes);
        Assert.Equal(["calendar.read", "profile"], error.TokenScopes);
        Assert.Equal(["calendar.write"], error.MissingScopes);
        Assert.Equal("calendar.read calendar.write profile", error.Scope);
        Assert.Equal("Token missing required scopes: calendar.write", error.ErrorDescription);
        Assert.Equal(error.ErrorDescription, error.Message);
    }

    [Fact]
    public void RequireScopes_can_report_a_custom_description()
    {
        var user = User();

        var error = Assert.Throws<InsufficientScopeException>(() => user.RequireScopes(["calendar.write"], "Connect your calendar first"));

        Assert.Equal("Connect your calendar first", error.ErrorDescription);
        Assert.Equal(["calendar.write"], error.MissingScopes);
    }
}
