using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Descope.Mcp.AspNetCore.Internal;

/// <summary>
/// Puts a middleware of the library at the front of the app's pipeline, before routing and authentication, so the app
/// maps nothing for it. For endpoints that answer anonymous requests from configuration alone.
/// </summary>
/// <typeparam name="TMiddleware">The middleware.</typeparam>
internal sealed class LeadingMiddlewareStartupFilter<TMiddleware> : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<TMiddleware>();
        next(app);
    };
}
