using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// The answers of the primitive gate, written as the MCP SDK writes its own: JSON-RPC in <c>application/json</c>. Every
/// text is fixed or comes from the server's own configuration; the only request content echoed is the JSON-RPC <c>id</c>,
/// which the parser has checked is a string of valid UTF-8, a number or null, copied as the JSON value it was parsed as.
/// </summary>
internal static class PrimitiveGateResponses
{
    // JSON-RPC error codes, as the MCP SDK uses them for the same situations.
    private const int ParseError = -32700;
    private const int InvalidRequest = -32600;
    private const int InvalidParams = -32602;

    /// <summary>The member that carries the challenges of a refusal, in a tool error's <c>_meta</c> and a JSON-RPC error's <c>data</c>.</summary>
    internal const string WwwAuthenticateMember = "mcp/www_authenticate";

    public static Task BadRequestAsync(HttpContext context, string reason) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, writer => WriteError(writer, default, ParseError, "Bad Request: " + reason, data: null));

    /// <summary>A readable request whose parameters do not name what it uses: 400, JSON-RPC invalid params, its own id.</summary>
    public static Task InvalidParamsAsync(HttpContext context, ReadOnlyMemory<byte> id, string reason) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, writer => WriteError(writer, id, InvalidParams, "Bad Request: " + reason, data: null));

    public static Task UnsupportedMediaTypeAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, writer => WriteError(
            writer, default, InvalidRequest, "Unsupported Media Type: MCP requests are JSON-RPC in application/json, in UTF-8.", data: null));

    public static Task PayloadTooLargeAsync(HttpContext context, int limit) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge, writer => WriteError(
            writer,
            default,
            InvalidRequest,
            "Payload Too Large: an MCP request body the server checks before tools, prompts and resources run may have at most " + limit.ToString(CultureInfo.InvariantCulture) + " bytes.",
            data: null));

    /// <summary>
    /// The refusal of a decision other than allowed, in the configured failure mode: 403 (with the step-up challenge when
    /// scopes are missing), or 200 with a tool error result (tools) or a JSON-RPC error (prompts and resources). A caller
    /// without credentials is challenged with 401 as the authentication scheme challenges it, or in tool-error mode given
    /// that challenge in the result. Arguments that do not conform to the tool's schema are not an authorization failure:
    /// 400 with invalid params in every mode.
    /// </summary>
    /// <remarks>
    /// Every refusal that a client could answer by signing in or stepping up names the challenges the HTTP answer carries
    /// (or would have carried) in <c>mcp/www_authenticate</c>: in the tool error's <c>_meta</c>, and in the JSON-RPC
    /// error's <c>data</c>.
    /// </remarks>
    public static Task RefuseAsync(
        HttpContext context, ReadOnlyMemory<byte> id, PrimitiveAccessDecision decision, ToolAuthorizationFailureMode mode, BearerChallenge challenge)
    {
        if (decision.InvalidArguments is { } invalid)
        {
            return WriteAsync(context, StatusCodes.Status400BadRequest, writer => WriteError(writer, id, InvalidParams, "Invalid params: " + invalid, data: null));
        }

        var toolError = mode == ToolAuthorizationFailureMode.ToolError;
        if (decision.Outcome == PrimitiveAccessOutcome.SignInRequired && (!toolError || decision.Kind is null))
        {
            // The scheme's own 401, naming the scopes the primitive needs, so the client signs in for them at once.
            context.Items[DescopeJwtBearerEvents.RequiredScopesItem] = decision.RequiredScopes;
            return context.ChallengeAsync(DescopeMcpDefaults.AuthenticationScheme);
        }

        var kind = decision.Kind!.Value;
        var failure = decision.Outcome == PrimitiveAccessOutcome.MissingScopes
            ? InsufficientScopeException.For(context.User, decision.RequiredScopes)
            : null;
        var challenges = decision.Outcome switch
        {
            PrimitiveAccessOutcome.MissingScopes => new StringValues(BearerChallenge.ForCaller(context.User, decision.ChallengeHeader)),
            PrimitiveAccessOutcome.SignInRequired => challenge.SignIn(decision.RequiredScopes),
            _ => StringValues.Empty,
        };
        var message = decision.Outcome switch
        {
            PrimitiveAccessOutcome.SignInRequired => $"Unauthorized: this {kind.Name()} requires signing in.",
            PrimitiveAccessOutcome.MissingScopes => $"Forbidden: the access token lacks scopes this {kind.Name()} requires.",
            _ => $"Forbidden: the caller lacks a role or permission this {kind.Name()} requires.",
        };

        if (toolError)
        {
            return kind == McpPrimitiveKind.Tool
                ? WriteToolErrorAsync(context, id, failure?.ToJson() ?? message, failure, challenges)
                : WriteAsync(context, StatusCodes.Status200OK, writer => WriteError(writer, id, InvalidRequest, message, failure, challenges));
        }

        if (failure is not null)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = challenges;
        }

        return WriteAsync(context, StatusCodes.Status403Forbidden, writer => WriteError(writer, id, InvalidRequest, message, failure, challenges));
    }

    private static Task WriteToolErrorAsync(HttpContext context, ReadOnlyMemory<byte> id, string text, InsufficientScopeException? structured, StringValues challenges)
    {
        if (id.IsEmpty)
        {
            // A notification gets no response, only the acknowledgement the SDK would give it.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        }

        var latestProtocol = PrimitiveGate.UsesStandardHeaders(context.Request);
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

            if (challenges.Count > 0)
            {
                // Where clients of per-tool authorization (MCP Apps, ChatGPT apps) look for what to sign in or step up with.
                writer.WriteStartObject("_meta");
                WriteChallenges(writer, challenges);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    /// <summary>The challenges as <c>mcp/www_authenticate</c>: an array of <c>WWW-Authenticate</c> values, one per challenge.</summary>
    private static void WriteChallenges(Utf8JsonWriter writer, StringValues challenges)
    {
        writer.WriteStartArray(WwwAuthenticateMember);
        foreach (var value in challenges)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A JSON-RPC error; its <c>data</c>, when there is any, is the <see cref="InsufficientScopeException"/> JSON and the
    /// challenges in <c>mcp/www_authenticate</c>.
    /// </summary>
    private static void WriteError(Utf8JsonWriter writer, ReadOnlyMemory<byte> id, int code, string message, InsufficientScopeException? data, StringValues challenges = default)
    {
        StartMessage(writer, id);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        if (data is not null || challenges.Count > 0)
        {
            writer.WriteStartObject("data");
            data?.WriteMembers(writer);
            if (challenges.Count > 0)
            {
                WriteChallenges(writer, challenges);
            }

            writer.WriteEndObject();
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
