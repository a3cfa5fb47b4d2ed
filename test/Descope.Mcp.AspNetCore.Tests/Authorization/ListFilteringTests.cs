using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

/// <summary>Lists show each caller only what it may use; the server needs no line beyond AddDescopeMcp().</summary>
public sealed class ListFilteringTests : McpServerTests
{
    private const string Tenants = """{"T1":{"roles":["Tenant Admin"],"permissions":["invoices:approve"]},"T2":{"roles":["viewer"],"permissions":[]}}""";

    private ProtectedMcpServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await StartServerAsync(m => m.WithTools<CalendarTools>().WithTools<AdminTools>().WithTools<TenantTools>()
            .WithPrompts<CalendarPrompts>().WithResources<CalendarResources>());
    }

    private async Task<McpClient> ConnectAsync(Action<TestTokenDescriptor> token) => await _server.ConnectAsync(Authority.CreateToken(token));

    private static async Task<string[]> ToolsAsync(McpClient client) => [.. (await client.ListToolsAsync()).Select(t => t.Name).Order()];

    [Fact]
    public async Task Two_users_with_different_scopes_see_different_tool_lists()
    {
        await using var reader = await ConnectAsync(t => { t.Subject = "U2Reader"; t.Scopes.Add("calendar.read"); });
        await using var admin = await ConnectAsync(t => { t.Subject = "U2Admin"; t.Scopes.Add("admin"); t.Scopes.Add("admin.purge"); });

        Assert.Equal(["export_events", "list_events", "ping", "public_info"], await ToolsAsync(reader));
        Assert.Equal(["export_events", "ping", "public_info", "purge"], await ToolsAsync(admin));
    }

    [Fact]
    public async Task A_tool_needing_two_scopes_is_listed_only_with_both()
    {
        await using var one = await ConnectAsync(t => t.Scopes.Add("calendar.write"));
        await using var both = await ConnectAsync(t => { t.Scopes.Add("calendar.write"); t.Scopes.Add("calendar.read"); });

        Assert.DoesNotContain("create_event", await ToolsAsync(one));
        Assert.Contains("create_event", await ToolsAsync(both));
    }

    [Fact]
    public async Task Role_and_permission_tools_are_listed_by_the_current_tenant()
    {
        await using var inT1 = await ConnectAsync(t => { t.Claims["tenants"] = System.Text.Json.JsonDocument.Parse(Tenants).RootElement; t.Claims["dct"] = "T1"; });
        await using var inT2 = await ConnectAsync(t => { t.Claims["tenants"] = System.Text.Json.JsonDocument.Parse(Tenants).RootElement; t.Claims["dct"] = "T2"; });
        await using var projectRole = await ConnectAsync(t => t.Claims["roles"] = new[] { "Tenant Admin" });

        Assert.Contains("approve_invoice", await ToolsAsync(inT1));
        Assert.Contains("manage_tenant", await ToolsAsync(inT1));
        Assert.DoesNotContain("approve_invoice", await ToolsAsync(inT2));
        Assert.DoesNotContain("manage_tenant", await ToolsAsync(inT2));
        Assert.Contains("manage_tenant", await ToolsAsync(projectRole));
        Assert.DoesNotContain("approve_invoice", await ToolsAsync(projectRole));
    }

    [Fact]
    public async Task Prompts_and_resources_are_filtered_the_same_way()
    {
        await using var none = await ConnectAsync(_ => { });
        await using var reader = await ConnectAsync(t => t.Scopes.Add("calendar.read"));

        Assert.Equal(["greeting"], (await none.ListPromptsAsync()).Select(p => p.Name));
        Assert.Equal(["calendar_summary", "greeting"], (await reader.ListPromptsAsync()).Select(p => p.Name).Order());
        Assert.Equal(["about"], (await none.ListResourcesAsync()).Select(r => r.Name));
        Assert.Equal(["about", "today"], (await reader.ListResourcesAsync()).Select(r => r.Name).Order());
    }

    [Fact]
    public async Task Getting_a_prompt_or_reading_a_resource_without_the_scope_is_refused_with_403()
    {
        await using var none = await ConnectAsync(_ => { });
        await using var reader = await ConnectAsync(t => t.Scopes.Add("calendar.read"));

        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<HttpRequestException>(() => none.GetPromptAsync("calendar_summary").AsTask())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<HttpRequestException>(() => none.ReadResourceAsync("calendar://today").AsTask())).StatusCode);
        Assert.NotEmpty((await reader.GetPromptAsync("calendar_summary")).Messages);
        Assert.NotEmpty((await reader.ReadResourceAsync("calendar://today")).Contents);
    }

    [Fact]
    public async Task Apps_that_add_the_SDK_authorization_filters_themselves_before_Descope_get_the_same_filtering()
    {
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>().AddAuthorizationFilters());

        await AssertFilteredAsync(server);
    }

    [Fact]
    public async Task Apps_that_add_the_SDK_authorization_filters_themselves_after_Descope_get_the_same_filtering()
    {
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>(), services: s => s.AddMcpServer().AddAuthorizationFilters());

        await AssertFilteredAsync(server);
    }

    private async Task AssertFilteredAsync(ProtectedMcpServer server)
    {
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"));

        Assert.Equal(["export_events", "list_events", "ping", "public_info"], await ToolsAsync(client));
        Assert.Equal("3 events", ((ModelContextProtocol.Protocol.TextContentBlock)(await client.CallToolAsync("list_events")).Content[0]).Text);
    }
}
