using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// With <see cref="DescopeMcpOptions.HideUnauthorizedPrimitives"/> off, lets the MCP SDK's authorization filter keep every
/// tool, prompt, resource and resource template in the lists it filters: it authorizes each with the list request as the
/// resource, and here every requirement of such an authorization succeeds. Nothing else is affected: calls, gets and
/// reads are authorized with other resources (and judged by the gate before that).
/// </summary>
internal sealed class ListEveryPrimitiveHandler(IOptions<DescopeMcpOptions> options) : IAuthorizationHandler
{
    private readonly bool _listEverything = !options.Value.HideUnauthorizedPrimitives;

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (_listEverything
            && context.Resource is RequestContext<ListToolsRequestParams> or RequestContext<ListPromptsRequestParams>
                or RequestContext<ListResourcesRequestParams> or RequestContext<ListResourceTemplatesRequestParams>)
        {
            foreach (var requirement in context.PendingRequirements.ToArray())
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}
