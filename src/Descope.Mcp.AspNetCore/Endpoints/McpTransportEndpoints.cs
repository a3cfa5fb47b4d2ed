using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using ModelContextProtocol.Protocol;

namespace Descope.Mcp.AspNetCore.Endpoints;

/// <summary>Which of the MCP SDK's transports serves an endpoint mapped by <c>MapMcp</c>.</summary>
internal enum McpTransport
{
    /// <summary>Not an MCP endpoint.</summary>
    None,

    /// <summary>Streamable HTTP: on protocol 2026-07-28 and later the SDK checks the standard headers against the body.</summary>
    StreamableHttp,

    /// <summary>Legacy HTTP with SSE: the SDK never looks at the standard headers.</summary>
    LegacySse,
}

/// <summary>
/// Recognises the endpoints <c>MapMcp</c> creates. Several independent marks are read, so that wrapping the handler
/// (endpoint filters on the endpoint or on an enclosing group) can never make an MCP endpoint look like something else
/// and slip past protection: the handler's declaring type, the handler method in the metadata, the display names the SDK
/// gives its groups, and the JSON-RPC error response type the SDK declares on Streamable HTTP endpoints.
/// </summary>
internal static class McpTransportEndpoints
{
    private const string SdkNamespace = "ModelContextProtocol.AspNetCore";
    private const string StreamableDisplayName = "MCP Streamable HTTP |";
    private const string SseDisplayName = "MCP HTTP with SSE |";

    public static McpTransport Classify(Endpoint endpoint) =>
        Classify(endpoint.RequestDelegate, endpoint.Metadata, endpoint.DisplayName);

    public static McpTransport Classify(RequestDelegate? handler, IReadOnlyList<object> metadata, string? displayName)
    {
        var byType = FromType(handler?.Method.DeclaringType);
        if (byType != McpTransport.None)
        {
            return byType;
        }

        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            if (metadata[i] is MethodInfo method && FromType(method.DeclaringType) is var byMethod && byMethod != McpTransport.None)
            {
                return byMethod;
            }
        }

        if (displayName is not null)
        {
            if (displayName.StartsWith(StreamableDisplayName, StringComparison.Ordinal))
            {
                return McpTransport.StreamableHttp;
            }

            if (displayName.StartsWith(SseDisplayName, StringComparison.Ordinal))
            {
                return McpTransport.LegacySse;
            }
        }

        foreach (var item in metadata)
        {
            if (item is IProducesResponseTypeMetadata { Type: var type } && type == typeof(JsonRpcError))
            {
                return McpTransport.StreamableHttp;
            }
        }

        return McpTransport.None;
    }

    private static McpTransport FromType(Type? type) => type switch
    {
        { Namespace: SdkNamespace, Name: "StreamableHttpHandler" } => McpTransport.StreamableHttp,
        { Namespace: SdkNamespace, Name: "SseHandler" } => McpTransport.LegacySse,
        _ => McpTransport.None,
    };
}
