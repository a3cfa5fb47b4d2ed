using System.Reflection;
using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Endpoints;
using Descope.Mcp.AspNetCore.Gate;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Places Descope protection on endpoints explicitly, for apps that set <see cref="DescopeMcpOptions.ProtectMcpEndpoints"/>
/// to <see langword="false"/> or protect endpoints other than MCP.
/// </summary>
public static class DescopeMcpEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Requires a valid Descope access token on the endpoints, for example <c>app.MapMcp("/mcp").RequireDescopeAuthorization()</c>.
    /// On MCP endpoints it also checks each <c>tools/call</c> against the tool's <see cref="RequireScopesAttribute"/>,
    /// <see cref="RequireRolesAttribute"/> and <see cref="RequirePermissionsAttribute"/> before the tool runs.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoints to protect.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder RequireDescopeAuthorization<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAuthorization(DescopeMcpDefaults.AuthorizationPolicy);
        builder.Add(endpoint => endpoint.Metadata.Add(DescopeProtectionMarker.Instance));
        builder.Finally(endpoint =>
        {
            // MCP endpoints also get the primitive gate (tools, prompts, resources); the handler is final only once every convention has run.
            var transport = McpTransportEndpoints.Classify(endpoint.RequestDelegate, [.. endpoint.Metadata], endpoint.DisplayName);
            if (transport != McpTransport.None && endpoint.RequestDelegate is { } handler)
            {
                endpoint.RequestDelegate = PrimitiveGate.Protect(handler, transport);
            }
        });
        return builder;
    }
}
