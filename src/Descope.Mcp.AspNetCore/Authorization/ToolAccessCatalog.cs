using System.Runtime.CompilerServices;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Finds the tool a <c>tools/call</c> names exactly as the MCP SDK will (its own tool collection, its own name lookup), and
/// keeps what the gate needs per tool, computed on first use: its rules and its ready-made 403 challenge.
/// </summary>
internal sealed class ToolAccessCatalog(IOptions<McpServerOptions> mcpOptions, ProtectedResource resource, BearerChallenge challenge)
{
    // Keyed by the tool object, so a tool that is removed or replaced at run time never reuses stale rules.
    private readonly ConditionalWeakTable<McpServerTool, ToolAccess> _access = [];

    /// <summary>The access rules of the named tool, or <see langword="null"/> when the server has no such tool.</summary>
    public ToolAccess? Find(string toolName) =>
        mcpOptions.Value.ToolCollection is { } tools && tools.TryGetPrimitive(toolName, out var tool)
            ? _access.GetValue(tool, Build)
            : null;

    private ToolAccess Build(McpServerTool tool)
    {
        var rules = McpPrimitiveRules.Read(tool);
        if (rules.IsOpen)
        {
            return ToolAccess.Open;
        }

        string[] scopes = [.. resource.RequiredScopes.Union(rules.Scopes, StringComparer.Ordinal)];
        return new ToolAccess(rules, scopes, challenge.InsufficientScope(scopes));
    }
}
