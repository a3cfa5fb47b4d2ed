using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Claims;

/// <summary>
/// Reading Descope claims from principals made by the real validator from minted tokens.
/// </summary>
public sealed class ClaimsPrincipalExtensionsTests(AuthorityAndServerFixture fixture) : IClassFixture<AuthorityAndServerFixture>
{
    private async Task<System.Security.Claims.ClaimsPrincipal> PrincipalAsync(Action<Testing.TestTokenDescriptor> configure)
    {
        var validator = fixture.Server.Services.GetRequiredService<IDescopeTokenValidator>();
        var result = await validator.ValidateTokenAsync(fixture.Authority.CreateToken(configure));
        Assert.True(result.IsValid, result.FailureDescription);
        return result.Principal!;
    }

    [Fact]
    public async Task User_client_and_tenant_come_from_sub_azp_and_dct()
    {
        var user = await PrincipalAsync(t => { t.Subject = "U2Dana"; t.Claims["azp"] = "client-1"; t.Claims["dct"] = "T2Acme"; });

        Assert.Equal("U2Dana", user.GetUserId());
        Assert.Equal("client-1", user.GetClientId());
        Assert.Equal("T2Acme", user.GetCurrentTenant());
    }

    [Fact]
    public async Task Absent_claims_read_as_null_or_empty()
    {
        var user = await PrincipalAsync(t => t.Subject = null);

        Assert.Null(user.GetUserId());
        Assert.Null(user.GetClientId());
        Assert.Null(user.GetCurrentTenant());
        Assert.Empty(user.GetScopes());
        Assert.Empty(user.GetRoles());
        Assert.Empty(user.GetTenantRoles());
        Assert.Empty(user.GetTenants());
    }

    [Fact]
    public async Task Scopes_merge_the_scope_string_and_the_scp_and_scopes_arrays_once_each()
    {
        var user = await PrincipalAsync(t =>
        {
            t.Scopes.Add("calendar.read");
            t.Scopes.Add("mail.send");
            t.Claims["scp"] = new[] { "files.read", "calendar.read" };
            t.Claims["scopes"] = new[] { "contacts.read" };
        });

        Assert.Equal(["calendar.read", "mail.send", "files.read", "contacts.read"], user.GetScopes());
        Assert.True(user.HasScopes("calendar.read", "contacts.read"));
        Assert.False(user.HasScopes("calendar.read", "calendar.write"));
        Assert.False(user.HasScopes("calendar"));
    }

    [Fact]
    public async Task Roles_and_permissions_read_top_level_and_per_tenant()
    {
        var user = await PrincipalAsync(t =>
        {
            t.Claims["roles"] = new[] { "viewer" };
            t.Claims["permissions"] = new[] { "read" };
            t.Claims["dct"] = "T2Acme";
            t.Claims["tenants"] = new Dictionary<string, object>
            {
                ["T2Acme"] = new Dictionary<string, string[]> { ["roles"] = ["admin"], ["permissions"] = ["billing.manage"] },
                ["T2Other"] = new Dictionary<string, string[]> { ["roles"] = ["guest"] },
            };
        });

        Assert.Equal(["viewer"], user.GetRoles());
        Assert.Equal(["read"], user.GetPermissions());
        Assert.Equal(["T2Acme", "T2Other"], user.GetTenants());
        Assert.Equal(["admin"], user.GetTenantRoles());
        Assert.Equal(["billing.manage"], user.GetTenantPermissions());
        Assert.Equal(["guest"], user.GetTenantRoles("T2Other"));
        Assert.Empty(user.GetTenantPermissions("T2Other"));
        Assert.Empty(user.GetTenantRoles("T2Missing"));
    }

    [Fact]
    public async Task A_tenants_claim_that_is_not_an_object_grants_nothing()
    {
        var user = await PrincipalAsync(t => { t.Claims["dct"] = "T2Acme"; t.Claims["tenants"] = "not json"; });

        Assert.Empty(user.GetTenants());
        Assert.Empty(user.GetTenantRoles());
    }
}
