using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Authorization;

/// <summary>
/// Every tool in tools/list carries <c>_meta.securitySchemes</c> (the per-tool authorization convention of ChatGPT apps and
/// MCP Apps), derived from the attributes and settings the gate enforces, on both protocol generations, through the MCP
/// SDK's own client.
/// </summary>
public sealed class ToolSecuritySchemesTests : McpServerTests
{
    private const string Everything = "mcp.access calendar.read calendar.write calendar.export admin admin.purge audit.read";

    private Task<ProtectedMcpServer> StartAsync(bool stateful, Action<DescopeMcpOptions>? configure = null, Action<IMcpServerBuilder>? more = null) =>
        StartServerAsync(
            m =>
            {
                m.WithTools<CalendarTools>().WithTools<AdminTools>().WithTools<TenantTools>().WithTools<SharedCalendarTools>().WithTools<PublicTools>();
                more?.Invoke(m);
            },
            o =>
            {
                o.RequiredScopes.Add("mcp.access");
                configure?.Invoke(o);
            },
            stateful);

    /// <summary>A caller that may use every tool, so every tool is listed.</summary>
    private async Task<McpClient> ConnectAsync(ProtectedMcpServer server) => await server.ConnectAsync(Authority.CreateToken(t =>
    {
        t.Audience = server.McpUrl;
        foreach (var scope in Everything.Split(' '))
        {
            t.Scopes.Add(scope);
        }

        t.Claims["roles"] = new[] { "Tenant Admin", "auditor" };
        t.Claims["permissions"] = new[] { "invoices:approve" };
    }));

    private static async Task<Dictionary<string, string>> SchemesAsync(McpClient client) =>
        (await client.ListToolsAsync()).ToDictionary(t => t.Name, t => t.ProtocolTool.Meta?["securitySchemes"]?.ToJsonString() ?? "(none)");

    private static string OAuth2(params string[] scopes) =>
        new JsonArray(new JsonObject { ["type"] = "oauth2", ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]) }).ToJsonString();

    private static string NoAuthOrOAuth2(params string[] scopes) =>
        new JsonArray(new JsonObject { ["type"] = "noauth" }, new JsonObject { ["type"] = "oauth2", ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]) }).ToJsonString();

    [Theory]
    [InlineData(false, "2026-07-28")]
    [InlineData(true, "2025-11-25")]
    public async Task Every_tool_carries_oauth2_with_the_required_scopes_and_its_own(bool stateful, string protocol)
    {
        var server = await StartAsync(stateful);
        await using var client = await ConnectAsync(server);
        Assert.Equal(protocol, client.NegotiatedProtocolVersion);

        var schemes = await SchemesAsync(client);

        Assert.Equal(OAuth2("mcp.access"), schemes["ping"]);
        Assert.Equal(OAuth2("mcp.access", "calendar.read"), schemes["list_events"]);
        Assert.Equal(OAuth2("mcp.access", "calendar.read", "calendar.write"), schemes["create_event"]);
        Assert.Equal(OAuth2("mcp.access", "admin", "admin.purge"), schemes["purge"]);

        // Roles, permissions, argument rules and scopes checked in code show as what the token must grant in any case.
        Assert.Equal(OAuth2("mcp.access"), schemes["approve_invoice"]);
        Assert.Equal(OAuth2("mcp.access", "audit.read"), schemes["audit"]);
        Assert.Equal(OAuth2("mcp.access", "calendar.write"), schemes["delete_event"]);
        Assert.Equal(OAuth2("mcp.access"), schemes["export_events"]);

        // A tool whose output is not an object reaches 2025-11-25 clients as a copy; it is described all the same.
        Assert.Equal(OAuth2("mcp.access", "calendar.read"), schemes["count_events"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tool_marked_AllowAnonymous_is_oauth2_only_unless_the_server_serves_public_primitives(bool stateful)
    {
        var closed = await StartAsync(stateful);
        var open = await StartAsync(stateful, o => o.AnonymousAccess = AnonymousAccess.PublicPrimitives);
        await using var closedClient = await ConnectAsync(closed);
        await using var openClient = await ConnectAsync(open);

        var closedSchemes = await SchemesAsync(closedClient);
        var openSchemes = await SchemesAsync(openClient);

        Assert.Equal(OAuth2("mcp.access"), closedSchemes["search_docs"]);
        Assert.Equal(OAuth2("mcp.access"), closedSchemes["public_info"]);
        Assert.Equal(NoAuthOrOAuth2("mcp.access"), openSchemes["search_docs"]);
        Assert.Equal(NoAuthOrOAuth2("mcp.access"), openSchemes["public_info"]);
        Assert.Equal(OAuth2("mcp.access"), openSchemes["ping"]);
        Assert.Equal(OAuth2("mcp.access", "calendar.read", "calendar.write"), openSchemes["create_event"]);
    }

    [Fact]
    public async Task Without_required_scopes_an_open_tool_is_oauth2_with_no_scopes()
    {
        var server = await StartServerAsync(m => m.WithTools<CalendarTools>());
        await using var client = await server.ConnectAsync(TokenFor(server, "calendar.read"));

        var schemes = await SchemesAsync(client);

        Assert.Equal(OAuth2(), schemes["ping"]);
        Assert.Equal(OAuth2("calendar.read"), schemes["list_events"]);
    }

    [Fact]
    public async Task The_tool_keeps_its_own_meta_and_its_own_security_schemes()
    {
        var own = new JsonArray(new JsonObject { ["type"] = "oauth2", ["scopes"] = new JsonArray("custom.scope") });
        var declared = McpServerTool.Create(
            () => "declared",
            new McpServerToolCreateOptions { Name = "declared", Meta = new JsonObject { ["securitySchemes"] = own.DeepClone() } });
        var annotated = McpServerTool.Create(
            () => "annotated",
            new McpServerToolCreateOptions { Name = "annotated", Meta = new JsonObject { ["openai/outputTemplate"] = "ui://widget/events.html" } });
        var server = await StartAsync(stateful: false, more: m => m.WithTools([declared, annotated]));
        await using var client = await ConnectAsync(server);

        var tools = (await client.ListToolsAsync()).ToDictionary(t => t.Name);

        Assert.Equal(own.ToJsonString(), tools["declared"].ProtocolTool.Meta!["securitySchemes"]!.ToJsonString());
        Assert.Equal("ui://widget/events.html", (string?)tools["annotated"].ProtocolTool.Meta!["openai/outputTemplate"]);
        Assert.Equal(OAuth2("mcp.access"), tools["annotated"].ProtocolTool.Meta!["securitySchemes"]!.ToJsonString());
    }

    [Fact]
    public async Task A_tool_added_while_the_server_runs_is_described_too()
    {
        var server = await StartAsync(stateful: true);
        await using var client = await ConnectAsync(server);

        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        tools.Add(McpServerTool.Create([RequireScopes("calendar.write")] () => "added", new McpServerToolCreateOptions { Name = "added_later" }));

        Assert.Equal(OAuth2("mcp.access", "calendar.write"), (await SchemesAsync(client))["added_later"]);
    }
}
