using System.Collections.Concurrent;
using Descope.Mcp.AspNetCore.Gate;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Endpoints;

/// <summary>
/// Secure by default: a request routed to an endpoint mapped by the MCP SDK's <c>MapMcp</c> is served by a copy of
/// that endpoint that also carries the <see cref="DescopeMcpDefaults.AuthorizationPolicy"/> policy, so the app needs no
/// <c>RequireAuthorization()</c>, and whose handler sits behind the <see cref="PrimitiveGate"/>. Endpoints marked with
/// <c>RequireDescopeAuthorization()</c> (which places the gate itself) or <c>AllowAnonymous()</c> are left as the app
/// made them.
/// </summary>
internal sealed class McpEndpointProtectionPolicy(IOptions<DescopeMcpOptions> options) : MatcherPolicy, IEndpointSelectorPolicy
{
    private static readonly AuthorizeAttribute DescopePolicy = new(DescopeMcpDefaults.AuthorizationPolicy);

    /// <summary>What serves each endpoint routing picked: its protected copy, or the endpoint itself when it needs none.</summary>
    private readonly ConcurrentDictionary<Endpoint, Endpoint> _served = new();

    // After routing's own policies have picked candidates; replacing an endpoint does not change which one matches.
    public override int Order => 10_000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        if (!options.Value.ProtectMcpEndpoints)
        {
            return false;
        }

        foreach (var endpoint in endpoints)
        {
            if (NeedsProtection(endpoint))
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i)
                && candidates[i].Endpoint is RouteEndpoint endpoint
                && _served.GetOrAdd(endpoint, static e => NeedsProtection(e) ? Protect(e) : e) is var served
                && !ReferenceEquals(served, endpoint))
            {
                candidates.ReplaceEndpoint(i, served, candidates[i].Values);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Whether requests to <paramref name="endpoint"/>, an MCP endpoint, need a Descope token.</summary>
    internal static bool IsProtected(Endpoint endpoint, DescopeMcpOptions options) =>
        endpoint.Metadata.GetMetadata<DescopeProtectionMarker>() is not null || (options.ProtectMcpEndpoints && NeedsProtection(endpoint));

    private static bool NeedsProtection(Endpoint endpoint) =>
        McpTransportEndpoints.Classify(endpoint) != McpTransport.None
        && endpoint.Metadata.GetMetadata<DescopeProtectionMarker>() is null
        && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;

    private static RouteEndpoint Protect(Endpoint original)
    {
        var route = (RouteEndpoint)original;
        var metadata = new EndpointMetadataCollection([.. original.Metadata, DescopePolicy, DescopeProtectionMarker.Instance]);
        return new RouteEndpoint(
            PrimitiveGate.Protect(original.RequestDelegate!, McpTransportEndpoints.Classify(original)), route.RoutePattern, route.Order, metadata, original.DisplayName);
    }
}
