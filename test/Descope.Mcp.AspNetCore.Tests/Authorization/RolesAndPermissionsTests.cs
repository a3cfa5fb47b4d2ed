using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

/// <summary>Descope roles and permissions on tool calls: per current tenant, refused with a plain 403.</summary>
public sealed class RolesAndPermissionsTests : McpServerTests
{
    private ProtectedMcpServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await StartServerAsync(m => m.WithTools<TenantTools>());
    }

    private string Member(string currentTenant) => Authority.CreateToken(t =>
    {
        t.Claims["tenants"] = JsonDocument.Parse("""{"T1":{"roles":["Tenant Admin"],"permissions":["invoices:approve"]},"T2":{"roles":[],"permissions":[]}}""").RootElement;
        t.Claims["dct"] = currentTenant;
    });

    private async Task<HttpStatusCode> CallAsync(string token, string tool)
    {
        using var response = await _server.Http.SendAsync(RawMcp.ToolCall(_server.McpUrl, token, tool));
        Assert.Empty(response.Headers.WwwAuthenticate);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("approve_invoice")]
    [InlineData("manage_tenant")]
    public async Task A_member_runs_the_tool_in_the_tenant_that_grants_it(string tool)
    {
        Assert.Equal(HttpStatusCode.OK, await CallAsync(Member("T1"), tool));
        Assert.Equal(1, Calls.Of(tool));
    }

    [Theory]
    [InlineData("approve_invoice")]
    [InlineData("manage_tenant")]
    public async Task The_same_member_is_refused_with_a_plain_403_while_in_another_tenant(string tool)
    {
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(Member("T2"), tool));
        Assert.Equal(0, Calls.Total);
    }

    [Fact]
    public async Task Project_level_roles_and_permissions_apply_in_any_tenant()
    {
        var token = Authority.CreateToken(t =>
        {
            t.Claims["roles"] = new[] { "Tenant Admin" };
            t.Claims["permissions"] = new[] { "invoices:approve" };
            t.Claims["dct"] = "T9";
        });

        Assert.Equal(HttpStatusCode.OK, await CallAsync(token, "manage_tenant"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token, "approve_invoice"));
    }

    [Fact]
    public async Task A_role_name_in_the_permissions_claim_does_not_count_as_a_role()
    {
        var token = Authority.CreateToken(t => t.Claims["permissions"] = new[] { "Tenant Admin" });

        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(token, "manage_tenant"));
        Assert.Equal(0, Calls.Total);
    }
}
