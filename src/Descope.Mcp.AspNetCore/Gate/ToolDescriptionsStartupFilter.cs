using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// Describes the server's tools with their <c>securitySchemes</c> while the app's pipeline is built, before the server
/// accepts a request (<see cref="PrimitiveAccessCatalog.DescribeTools"/>).
/// </summary>
internal sealed class ToolDescriptionsStartupFilter(PrimitiveAccessCatalog catalog) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        catalog.DescribeTools();
        return next;
    }
}
