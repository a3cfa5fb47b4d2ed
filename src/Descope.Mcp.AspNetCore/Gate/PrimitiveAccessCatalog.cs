using System.Runtime.CompilerServices;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// Finds the tool, prompt or resource a request names exactly as the MCP SDK will (its own collections, its own lookups:
/// a resource URI matches a static resource first, then the first template that matches it; a completion reference may
/// also name a template by its URI template, as the SDK's own completions do), and keeps what the gate
/// needs per primitive, computed on first use: its rules and its ready-made 403 challenge.
/// </summary>
internal sealed class PrimitiveAccessCatalog(
    IOptions<McpServerOptions> mcpOptions, IOptions<DescopeMcpOptions> descopeOptions, ProtectedResource resource, BearerChallenge challenge)
{
    private readonly AnonymousAccess _anonymousAccess = descopeOptions.Value.AnonymousAccess;
    private int _describing;

    // Keyed by the primitive object, so one removed or replaced at run time never reuses stale rules.
    private readonly ConditionalWeakTable<IMcpServerPrimitive, PrimitiveAccess> _access = [];

    /// <summary>The access rules of the named primitive, or <see langword="null"/> when the server has no such primitive.</summary>
    /// <param name="kind">The kind of primitive.</param>
    /// <param name="target">Its name or URI.</param>
    /// <param name="reference">Whether the target is a completion reference, where a URI may be a resource template's own.</param>
    public PrimitiveAccess? Find(McpPrimitiveKind kind, string target, bool reference = false)
    {
        var options = mcpOptions.Value;
        IMcpServerPrimitive? primitive = kind switch
        {
            McpPrimitiveKind.Tool => options.ToolCollection is { } tools && tools.TryGetPrimitive(target, out var tool) ? tool : null,
            McpPrimitiveKind.Prompt => options.PromptCollection is { } prompts && prompts.TryGetPrimitive(target, out var prompt) ? prompt : null,
            _ => FindResource(options.ResourceCollection, target, reference),
        };

        return primitive is null ? null : Of(kind, primitive);
    }

    /// <summary>The access rules of one of the server's primitives.</summary>
    public PrimitiveAccess Of(McpPrimitiveKind kind, IMcpServerPrimitive primitive) =>
        _access.TryGetValue(primitive, out var known) ? known : Add(kind, primitive);

    // Apart from Of, so the usual hit allocates no closure: a lambda's closure is made when the method that holds it starts.
    private PrimitiveAccess Add(McpPrimitiveKind kind, IMcpServerPrimitive primitive) =>
        _access.GetValue(primitive, p => PrimitiveAccess.Of(kind, p, resource.RequiredScopes, challenge, _anonymousAccess));

    /// <summary>
    /// Describes every tool of the server with its <c>securitySchemes</c> (<see cref="PrimitiveAccess.DescribeTool"/>), now
    /// and whenever tools are added to its collection, so <c>tools/list</c> shows them without any work per request.
    /// </summary>
    public void DescribeTools()
    {
        if (mcpOptions.Value.ToolCollection is not { } tools || Interlocked.Exchange(ref _describing, 1) == 1)
        {
            return;
        }

        Describe(tools, EventArgs.Empty);
        tools.Changed += Describe;

        void Describe(object? sender, EventArgs e)
        {
            foreach (var tool in tools)
            {
                Of(McpPrimitiveKind.Tool, tool).DescribeTool(tool);
            }
        }
    }

    private static McpServerResource? FindResource(McpServerPrimitiveCollection<McpServerResource>? resources, string uri, bool reference)
    {
        if (resources is null)
        {
            return null;
        }

        // A template is keyed by its URI template, which only a completion reference names; a read names a URI.
        if (resources.TryGetPrimitive(uri, out var exact) && (reference || !exact.IsTemplated))
        {
            return exact;
        }

        foreach (var template in resources)
        {
            if (template.IsMatch(uri))
            {
                return template;
            }
        }

        return null;
    }
}
