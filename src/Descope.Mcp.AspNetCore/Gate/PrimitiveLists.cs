using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// With <see cref="AnonymousAccess.PublicPrimitives"/> and <see cref="DescopeMcpOptions.HideUnauthorizedPrimitives"/> on,
/// the filters of <c>tools/list</c>, <c>prompts/list</c>, <c>resources/list</c> and <c>resources/templates/list</c> that
/// show a caller without credentials only the public tools, prompts and resources, beside the MCP SDK's authorization
/// filter (which keeps anything without Descope attributes). Primitives are found as the SDK's filter finds them: by name,
/// URI or URI template in the server's collections; anything else is not public.
/// </summary>
/// <remarks>
/// A singleton <see cref="IConfigureOptions{TOptions}"/>: a stateless MCP server builds its options for every request, and
/// a setup registered with <c>Configure&lt;TDep&gt;</c> would be a new object each time.
/// </remarks>
internal sealed class PrimitiveLists(IOptions<DescopeMcpOptions> descopeOptions, IServiceProvider services) : IConfigureOptions<McpServerOptions>
{
    private readonly bool _hideFromAnonymous = descopeOptions.Value is { AnonymousAccess: AnonymousAccess.PublicPrimitives, HideUnauthorizedPrimitives: true };

    // Resolved on first use: the catalog reads the MCP server options these filters are part of.
    private PrimitiveAccessCatalog? _catalog;

    private PrimitiveAccessCatalog Catalog => _catalog ??= services.GetRequiredService<PrimitiveAccessCatalog>();

    /// <summary>Adds the filters to the MCP server's options, when they have anything to do.</summary>
    public void Configure(McpServerOptions options)
    {
        // A stateless server configures its options for every request: only a server that hides something pays for it.
        if (_hideFromAnonymous)
        {
            AddFilters(options);
        }
    }

    /// <summary>The filters, apart from <see cref="Configure"/>, whose closure would otherwise be allocated on every call.</summary>
    private void AddFilters(McpServerOptions options)
    {
        var filters = options.Filters.Request;
        filters.ListToolsFilters.Add(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            if (IsAnonymous(context.User))
            {
                KeepPublic(result.Tools, McpPrimitiveKind.Tool, tool => options.ToolCollection is { } tools && tools.TryGetPrimitive(tool.Name, out var found) ? found : null);
            }

            return result;
        });
        filters.ListPromptsFilters.Add(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            if (IsAnonymous(context.User))
            {
                KeepPublic(result.Prompts, McpPrimitiveKind.Prompt, prompt => options.PromptCollection is { } prompts && prompts.TryGetPrimitive(prompt.Name, out var found) ? found : null);
            }

            return result;
        });
        filters.ListResourcesFilters.Add(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            if (IsAnonymous(context.User))
            {
                KeepPublic(result.Resources, McpPrimitiveKind.Resource, resource => FindResource(options, resource.Uri));
            }

            return result;
        });
        filters.ListResourceTemplatesFilters.Add(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            if (IsAnonymous(context.User))
            {
                KeepPublic(result.ResourceTemplates, McpPrimitiveKind.Resource, template => FindResource(options, template.UriTemplate));
            }

            return result;
        });
    }

    private static bool IsAnonymous(ClaimsPrincipal? user) => user?.Identity?.IsAuthenticated != true;

    private void KeepPublic<T>(IList<T> listed, McpPrimitiveKind kind, Func<T, IMcpServerPrimitive?> find)
    {
        for (var i = listed.Count - 1; i >= 0; i--)
        {
            if (find(listed[i]) is not { } primitive || !Catalog.Of(kind, primitive).IsPublic)
            {
                listed.RemoveAt(i);
            }
        }
    }

    private static McpServerResource? FindResource(McpServerOptions options, string key) =>
        options.ResourceCollection is { } resources && resources.TryGetPrimitive(key, out var found) ? found : null;
}
