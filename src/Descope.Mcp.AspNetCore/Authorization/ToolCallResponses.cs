using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// The answers of the tool-call gate, written as the MCP SDK writes its own: JSON-RPC in <c>application/json</c>. Every
/// text is fixed or comes from the server's own configuration; the only request content echoed is the JSON-RPC <c>id</c>,
/// copied as the JSON value it was parsed as.
/// </summary>
internal static class ToolCallResponses
{
    // JSON-RPC error codes, as the MCP SDK uses them for the same situations.
    private const int ParseError = -32700;
    private const int InvalidRequest = -32600;

    private const string ForbiddenMessage = "Forbidden: the caller lacks a role or permission this tool requires.";
    private const string InsufficientScopeMessage = "Forbidden: the access token lacks scopes this tool requires.";

    public static Task BadRequestAsync(HttpContext context, string reason) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, writer => WriteError(writer, default, ParseError, "Bad Request: " + reason, data: null));

    public static Task PayloadTooLargeAsync(HttpContext context, int limit) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge, writer => WriteError(
            writer,
            default,
            InvalidRequest,
            "Payload Too Large: an MCP request body the server checks before tool calls may have at most " + limit.ToString(CultureInfo.InvariantCulture) + " bytes.",
            data: null));

    /// <summary>403 with the step-up challenge; the body carries the same failure as JSON-RPC error data.</summary>
    public static Task InsufficientScopeAsync(HttpContext context, ReadOnlyMemory<byte> id, string challenge, InsufficientScopeException failure)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = challenge;
        return WriteAsync(context, StatusCodes.Status403Forbidden, writer => WriteError(writer, id, InvalidRequest, InsufficientScopeMessage, failure));
    }

    /// <summary>403 without a challenge: no scope would help.</summary>
    public static Task ForbiddenAsync(HttpContext context, ReadOnlyMemory<byte> id) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, writer => WriteError(writer, id, InvalidRequest, ForbiddenMessage, data: null));

    /// <summary>A tool error result whose text and structured content are the failure's JSON.</summary>
    public static Task InsufficientScopeResultAsync(HttpContext context, ReadOnlyMemory<byte> id, InsufficientScopeException failure) =>
        WriteToolErrorAsync(context, id, failure.ToJson(), failure);

    public static Task ForbiddenResultAsync(HttpContext context, ReadOnlyMemory<byte> id) =>
        WriteToolErrorAsync(context, id, ForbiddenMessage, structured: null);

    private static Task WriteToolErrorAsync(HttpContext context, ReadOnlyMemory<byte> id, string text, InsufficientScopeException? structured)
    {
        if (id.IsEmpty)
        {
            // A notification gets no response, only the acknowledgement the SDK would give it.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        }

        var latestProtocol = ToolCallGate.UsesStandardHeaders(context.Request);
        return WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            StartMessage(writer, id);
            writer.WriteStartObject("result");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", text);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (structured is not null)
            {
                writer.WritePropertyName("structuredContent");
                structured.WriteTo(writer);
            }

            writer.WriteBoolean("isError", true);
            if (latestProtocol)
            {
                // 2026-07-28 results state that they are final, as the SDK's own results do.
                writer.WriteString("resultType", "complete");
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static void WriteError(Utf8JsonWriter writer, ReadOnlyMemory<byte> id, int code, string message, InsufficientScopeException? data)
    {
        StartMessage(writer, id);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        if (data is not null)
        {
            writer.WritePropertyName("data");
            data.WriteTo(writer);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void StartMessage(Utf8JsonWriter writer, ReadOnlyMemory<byte> id)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        if (id.IsEmpty)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(id.Span, skipInputValidation: false);
        }
    }

    private static Task WriteAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
