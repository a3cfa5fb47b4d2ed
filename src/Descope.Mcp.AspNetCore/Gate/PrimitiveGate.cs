using System.Text;
using Descope.Mcp.AspNetCore.Arguments;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.AspNetCore;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// Runs in front of the MCP SDK's endpoint, after authentication and authorization, for every protocol version. A
/// <c>tools/call</c>, <c>prompts/get</c>, <c>resources/read</c>, <c>resources/subscribe</c>, <c>resources/unsubscribe</c>
/// or <c>completion/complete</c> of a primitive whose rules the caller does not meet is answered before the handler runs: HTTP 403 with a step-up challenge for missing scopes (MCP clients re-authorize on
/// exactly that), a plain 403 for missing roles or permissions, or, for clients that cannot step up, a tool error result
/// (tools) or a JSON-RPC error (prompts and resources) carrying the same details. Bodies the MCP server could not read
/// are refused here with 400 or 415 rather than reaching it.
/// </summary>
/// <remarks>
/// Which requests are read: on protocol 2026-07-28 and later the SDK refuses a body whose method differs from the
/// <c>Mcp-Method</c> header, so only requests whose header names one of the three methods are read; earlier protocols
/// carry the method only in the body, so their POST bodies are read. A completion names its prompt or resource only in
/// the body (the SDK sends and checks no <c>Mcp-Name</c> for it), so its body is read on every protocol. A body is read once, up to
/// <see cref="DescopeMcpOptions.MaxToolCallBodySize"/>, and handed to the SDK as it arrived. With
/// <see cref="AnonymousAccess.PublicPrimitives"/>, a request without credentials arrives here too: its body is read on every
/// protocol, and only the handshake, lists, notifications and the use of public primitives go on; the rest gets the 401.
/// </remarks>
internal sealed partial class PrimitiveGate(
    PrimitiveAccessCatalog catalog,
    BearerChallenge challenge,
    IOptions<DescopeMcpOptions> options,
    IOptions<HttpServerTransportOptions> transportOptions,
    DescopeTelemetry telemetry,
    ILogger<PrimitiveGate> logger)
{
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string MethodHeader = "Mcp-Method";

    /// <summary>The first protocol revision whose standard headers the SDK checks against the body.</summary>
    private const string HeaderValidatedProtocolVersion = "2026-07-28";

    private readonly DescopeMcpOptions _options = options.Value;
    private readonly bool _publicPrimitives = options.Value.AnonymousAccess == AnonymousAccess.PublicPrimitives;
    private readonly bool _keepsSessions = transportOptions.Value.SessionMode != HttpServerSessionMode.Stateless;

    /// <summary>Puts the gate in front of an MCP endpoint's handler.</summary>
    /// <param name="handler">The endpoint's handler.</param>
    /// <param name="transport">
    /// The endpoint's transport: only Streamable HTTP endpoints have the SDK check the standard headers against the body,
    /// so only there may the <c>Mcp-Method</c> header spare a body from being read.
    /// </param>
    public static RequestDelegate Protect(RequestDelegate handler, McpTransport transport)
    {
        var trustHeaders = transport == McpTransport.StreamableHttp;
        return context => context.RequestServices.GetRequiredService<PrimitiveGate>().InvokeAsync(context, handler, trustHeaders);
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next, bool trustHeaders)
    {
        var request = context.Request;
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return _publicPrimitives ? InvokeAnonymousAsync(context, next, streamableHttp: trustHeaders) : next(context);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return next(context);
        }

        if (!IsReadableJson(request.ContentType))
        {
            // The SDK reads bodies with ReadFromJsonAsync, which fails with a 500 on anything else.
            Log.BodyRefused(logger, "unsupported Content-Type");
            return PrimitiveGateResponses.UnsupportedMediaTypeAsync(context);
        }

        if (trustHeaders && UsesStandardHeaders(request) && !IsGatedMethod(request.Headers[MethodHeader].ToString()))
        {
            return ForwardAsync(context, next);
        }

        return InspectAsync(context, next, anonymous: false);
    }

    /// <summary>
    /// A request without credentials, with public primitives on (the authorization stage let it through): its body is always
    /// read, whatever its headers say, and only what <see cref="DecideAnonymous"/> allows reaches the MCP server. A
    /// <c>GET</c> or <c>DELETE</c> reaches it too: a stateless server refuses them, and a server that keeps sessions
    /// serves them only for a session of the same user, which a caller without credentials cannot open. The legacy SSE
    /// endpoints, whose messages arrive apart from the stream that carries their answers, always need a token.
    /// </summary>
    private Task InvokeAnonymousAsync(HttpContext context, RequestDelegate next, bool streamableHttp)
    {
        var request = context.Request;
        if (!streamableHttp)
        {
            Log.SignInRequired(logger, request.Method);
            return context.ChallengeAsync(DescopeMcpDefaults.AuthenticationScheme);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return next(context);
        }

        if (!IsReadableJson(request.ContentType))
        {
            Log.BodyRefused(logger, "unsupported Content-Type");
            return PrimitiveGateResponses.UnsupportedMediaTypeAsync(context);
        }

        return InspectAsync(context, next, anonymous: true);
    }

    /// <summary>
    /// Hands the request to the MCP server. A body the gate did not read may hold invalid UTF-8 that the SDK only meets
    /// when it reads a string from it, and then fails with a 500; that failure becomes the 400 it is.
    /// </summary>
    private Task ForwardAsync(HttpContext context, RequestDelegate next)
    {
        var forwarded = next(context);
        return forwarded.IsCompletedSuccessfully ? forwarded : AwaitAsync(forwarded);

        async Task AwaitAsync(Task task)
        {
            try
            {
                await task;
            }
            catch (InvalidOperationException ex) when (IsInvalidUtf8Json(ex) && !context.Response.HasStarted)
            {
                Log.BodyRefused(logger, "invalid UTF-8");
                await PrimitiveGateResponses.BadRequestAsync(context, "The request body is not valid UTF-8 JSON.");
            }
        }
    }

    /// <summary>How System.Text.Json reports a string of invalid UTF-8 it was asked to read.</summary>
    private static bool IsInvalidUtf8Json(InvalidOperationException exception) =>
        exception is { InnerException: DecoderFallbackException, Source: { } source } && source.StartsWith("System.Text.Json", StringComparison.Ordinal);

    /// <param name="context">The request.</param>
    /// <param name="next">The MCP server's handler.</param>
    /// <param name="anonymous">Whether the request has no credentials (asking the principal again allocates).</param>
    private async Task InspectAsync(HttpContext context, RequestDelegate next, bool anonymous)
    {
        var limit = (int)_options.MaxToolCallBodySize;
        if (context.Request.ContentLength > limit)
        {
            await PrimitiveGateResponses.PayloadTooLargeAsync(context, limit);
            return;
        }

        var body = await GatedRequestBody.ReadAsync(context.Request.BodyReader, limit, context.RequestAborted);
        try
        {
            if (body.TooLarge)
            {
                await PrimitiveGateResponses.PayloadTooLargeAsync(context, limit);
                return;
            }

            var message = McpRequestMessage.Parse(body.Memory.Span);
            if (message.Error is { } error)
            {
                Log.BodyRefused(logger, error);
                await PrimitiveGateResponses.BadRequestAsync(context, error);
                return;
            }

            var decision = anonymous ? DecideAnonymous(context, message) : await DecideAsync(context, message, body.Memory);
            if (decision.Outcome == PrimitiveAccessOutcome.Allowed)
            {
                // The SDK reads the body the gate judged. A replacement stream is taken back before the body is released,
                // so nothing later in the pipeline can read a pooled buffer that went back to the pool.
                if (body.OpenForServer() is not { } replacement)
                {
                    await ForwardAsync(context, next);
                    return;
                }

                var original = context.Request.Body;
                context.Request.Body = replacement;
                try
                {
                    await ForwardAsync(context, next);
                }
                finally
                {
                    context.Request.Body = original;
                }

                return;
            }

            if (decision.RuleFailure is { } failure)
            {
                Log.ArgumentRuleFailed(logger, message.Target!, failure);
            }

            if (decision.Outcome == PrimitiveAccessOutcome.SignInRequired)
            {
                // Nothing the caller named is logged: it has not even signed in.
                Log.SignInRequired(logger, context.Request.Method);
            }
            else
            {
                Log.Refused(logger, message.Method!, decision.Kind!.Value, message.Target!, decision.Outcome);
            }

            await PrimitiveGateResponses.RefuseAsync(context, body.Memory[message.Id], decision, _options.ToolAuthorizationFailureMode, challenge);
        }
        finally
        {
            body.Release();
        }
    }

    /// <summary>The decision on one request, recorded as telemetry (and, when it refuses, as an audit event).</summary>
    private async ValueTask<PrimitiveAccessDecision> DecideAsync(HttpContext context, McpRequestMessage message, ReadOnlyMemory<byte> body)
    {
        if (message.Kind is not { } kind || catalog.Find(kind, message.Target!, message.IsReference) is not { } access)
        {
            return PrimitiveAccessDecision.Allowed;
        }

        var user = context.User;
        var decision = await access.DecideAsync(user, access.HasArgumentRules ? ArgumentsOf(context, message, body) : null, context.RequestAborted);
        telemetry.AuthorizationDecided(user, message.Method!, kind, message.Target!, decision.Outcome, decision.MissingScopes);
        return decision;
    }

    /// <summary>
    /// What a caller without credentials may do: the handshake (unless it would open a session), <c>ping</c>, notifications
    /// and lists, and any use of a public tool, prompt or resource (found exactly as for a signed-in caller, so a URI of a
    /// protected template is protected). Anything else, a JSON-RPC response included, needs sign-in.
    /// </summary>
    private PrimitiveAccessDecision DecideAnonymous(HttpContext context, McpRequestMessage message)
    {
        if (message.Kind is not { } kind)
        {
            // A server that keeps sessions would open one for the caller: state it must not keep for an unknown caller,
            // and one the SDK binds to no user, which the caller could not go on using once signed in.
            return message.OpenMethod is null || (_keepsSessions && message.OpenMethod == McpRequestMessage.InitializeMethod)
                ? PrimitiveAccessDecision.SignInRequired
                : PrimitiveAccessDecision.Allowed;
        }

        if (catalog.Find(kind, message.Target!, message.IsReference) is not { } access)
        {
            // Not one of the server's primitives: a name a stranger made up is not worth a trace.
            return PrimitiveAccessDecision.SignInRequiredFor(kind);
        }

        var decision = access.IsPublic ? PrimitiveAccessDecision.AllowedFor(kind) : access.SignInRequired;
        telemetry.AuthorizationDecided(context.User, message.Method!, kind, message.Target!, decision.Outcome, missingScopes: null);
        return decision;
    }

    /// <summary>The call's arguments for argument rules, read only when a rule asks.</summary>
    private static Func<ArgumentScopeContext> ArgumentsOf(HttpContext context, McpRequestMessage message, ReadOnlyMemory<byte> body) =>
        () => new ArgumentScopeContext(message.Target!, ArgumentScopesRequirement.Arguments(body[message.Arguments].Span), context.User, context.RequestServices);

    /// <summary>
    /// Whether the request speaks a revision with standard headers (2026-07-28 or later), which the SDK checks against the
    /// body. Mirrors the SDK's own test: an ordinal comparison of the revision date.
    /// </summary>
    internal static bool UsesStandardHeaders(HttpRequest request) =>
        string.CompareOrdinal(request.Headers[ProtocolVersionHeader].ToString(), HeaderValidatedProtocolVersion) >= 0;

    private static bool IsGatedMethod(string methodHeader)
    {
        var method = methodHeader.AsSpan().Trim();
        foreach (var gated in McpRequestMessage.GatedMethods)
        {
            if (method.Equals(gated, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A JSON media type (<c>application/json</c> or <c>+json</c>) in UTF-8, the only body the gate can judge; the SDK
    /// fails with a 500 on a missing or non-JSON type and on charsets .NET cannot decode.
    /// </summary>
    private static bool IsReadableJson(string? contentType)
    {
        // What MCP clients send, recognised without parsing.
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var isJson = mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
        var charset = mediaType.Charset;
        // Only the registered name: the SDK fails with a 500 on aliases such as "utf8" that .NET does not decode.
        return isJson && (charset.Length == 0 || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "A {Method} request for {Kind} {Target} was refused before its handler ran: {Outcome}.")]
        public static partial void Refused(ILogger logger, string method, McpPrimitiveKind kind, string target, PrimitiveAccessOutcome outcome);

        [LoggerMessage(22, LogLevel.Warning, "An argument scope rule of {Tool} failed, so the call was refused.")]
        public static partial void ArgumentRuleFailed(ILogger logger, string tool, Exception exception);

        [LoggerMessage(21, LogLevel.Debug, "An MCP request body was refused before it reached the MCP server: {Reason}")]
        public static partial void BodyRefused(ILogger logger, string reason);

        [LoggerMessage(24, LogLevel.Debug, "An MCP {HttpMethod} request without credentials asked for something that is not public; it was challenged to sign in.")]
        public static partial void SignInRequired(ILogger logger, string httpMethod);
    }
}
