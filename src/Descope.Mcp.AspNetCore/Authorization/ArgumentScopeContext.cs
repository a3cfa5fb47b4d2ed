using System.Security.Claims;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore;

/// <summary>A tool call as an <see cref="IArgumentScopeRule"/> sees it, before the tool runs.</summary>
public sealed class ArgumentScopeContext
{
    internal ArgumentScopeContext(string toolName, JsonElement arguments, ClaimsPrincipal user, IServiceProvider requestServices)
    {
        ToolName = toolName;
        Arguments = arguments;
        User = user;
        RequestServices = requestServices;
    }

    /// <summary>The name of the tool being called.</summary>
    public string ToolName { get; }

    /// <summary>
    /// <c>params.arguments</c> as the client sent it: usually an object, but any JSON value a client chose to send; an
    /// empty object when the call has no arguments.
    /// </summary>
    public JsonElement Arguments { get; }

    /// <summary>The caller.</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>The services of the request.</summary>
    public IServiceProvider RequestServices { get; }
}
