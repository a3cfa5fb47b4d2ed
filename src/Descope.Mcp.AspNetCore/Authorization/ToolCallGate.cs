using System.Buffers;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>
/// Runs in front of the MCP SDK's endpoint, after authentication and authorization, for every protocol version. A
/// <c>tools/call</c> for a tool whose rules the caller does not meet is answered before the tool runs: HTTP 403 with a
/// step-up challenge for missing scopes (MCP clients re-authorize on exactly that), a plain 403 for missing roles or
/// permissions, or, for clients that cannot step up, a tool error result.
/// </summary>
/// <remarks>
/// Which requests are read: on protocol 2026-07-28 and later the SDK refuses a body whose method differs from the
/// <c>Mcp-Method</c> header, so only requests whose header says <c>tools/call</c> are read; earlier protocols carry the
/// method only in the body, so their POST bodies are read. A body is read once, up to
/// <see cref="DescopeMcpOptions.MaxToolCallBodySize"/>, and handed to the SDK as it arrived.
/// </remarks>
internal sealed partial class ToolCallGate(
    ToolAccessCatalog catalog, IOptions<DescopeMcpOptions> options, DescopeTelemetry telemetry, ILogger<ToolCallGate> logger)
{
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string MethodHeader = "Mcp-Method";

    /// <summary>The first protocol revision whose standard headers the SDK checks against the body.</summary>
    private const string HeaderValidatedProtocolVersion = "2026-07-28";

    private readonly DescopeMcpOptions _options = options.Value;

    /// <summary>Puts the gate in front of an MCP endpoint's handler.</summary>
    /// <param name="handler">The endpoint's handler.</param>
    /// <param name="transport">
    /// The endpoint's transport: only Streamable HTTP endpoints have the SDK check the standard headers against the body,
    /// so only there may the <c>Mcp-Method</c> header spare a body from being read.
    /// </param>
    public static RequestDelegate Protect(RequestDelegate handler, McpTransport transport)
    {
        var trustHeaders = transport == McpTransport.StreamableHttp;
        return context => context.RequestServices.GetRequiredService<ToolCallGate>().InvokeAsync(context, handler, trustHeaders);
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next, bool trustHeaders)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || context.User.Identity?.IsAuthenticated != true)
        {
            return next(context);
        }

        if (trustHeaders && UsesStandardHeaders(request) && !IsToolCall(request.Headers[MethodHeader].ToString()))
        {
            return next(context);
        }

        return InspectAsync(context, next);
    }

    private async Task InspectAsync(HttpContext context, RequestDelegate next)
    {
        var limit = (int)_options.MaxToolCallBodySize;
        if (context.Request.ContentLength > limit)
        {
            await ToolCallResponses.PayloadTooLargeAsync(context, limit);
            return;
        }

        var (buffer, length) = await ReadBodyAsync(context.Request, limit, context.RequestAborted);
        try
        {
            if (length > limit)
            {
                await ToolCallResponses.PayloadTooLargeAsync(context, limit);
                return;
            }

            var body = buffer.AsMemory(0, length);
            var message = ToolCallMessage.Parse(body.Span);
            if (message.Error is { } error)
            {
                Log.BodyRefused(logger, error);
                await ToolCallResponses.BadRequestAsync(context, error);
                return;
            }

            var access = message.IsToolCall ? catalog.Find(message.ToolName!) : null;
            var decision = access?.Decide(context.User) ?? ToolAccessDecision.Allowed;
            var stepUp = decision == ToolAccessDecision.MissingScopes ? Failure(context.User, access!) : null;
            if (access is not null)
            {
                telemetry.AuthorizationDecided(context.User, TelemetryValues.Tool, message.ToolName!, decision, stepUp?.MissingScopes);
            }

            if (decision == ToolAccessDecision.Allowed)
            {
                // The SDK reads the body from the pooled buffer; the original stream is put back before the buffer goes
                // back to the pool, so nothing later in the pipeline can read another request's bytes.
                var original = context.Request.Body;
                context.Request.Body = new MemoryStream(buffer, 0, length, writable: false);
                try
                {
                    await next(context);
                }
                finally
                {
                    context.Request.Body = original;
                }

                return;
            }

            Log.ToolCallRefused(logger, message.ToolName!, decision);
            var id = body[message.Id];
            var reply = (decision, _options.ToolAuthorizationFailureMode) switch
            {
                (ToolAccessDecision.MissingScopes, ToolAuthorizationFailureMode.ToolError) =>
                    ToolCallResponses.InsufficientScopeResultAsync(context, id, stepUp!),
                (ToolAccessDecision.MissingScopes, _) =>
                    ToolCallResponses.InsufficientScopeAsync(context, id, access!.ChallengeHeader, stepUp!),
                (_, ToolAuthorizationFailureMode.ToolError) => ToolCallResponses.ForbiddenResultAsync(context, id),
                _ => ToolCallResponses.ForbiddenAsync(context, id),
            };
            await reply;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InsufficientScopeException Failure(ClaimsPrincipal user, ToolAccess access) =>
        new(access.ChallengeScopes, DescopeClaims.Scopes(user));

    /// <summary>
    /// Reads the body into a pooled buffer that starts small and doubles up to <paramref name="limit"/>, so a declared
    /// <c>Content-Length</c> alone never reserves memory; a length above the limit means the body was longer.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        const int InitialSize = 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? InitialSize, 1, Math.Min(InitialSize, limit)));
        var length = 0;
        try
        {
            while (true)
            {
                // The pool may hand out more than asked for; never read past the limit into it.
                var capacity = Math.Min(buffer.Length, limit);
                if (length == capacity)
                {
                    if (capacity == limit)
                    {
                        // Full at the limit: one more byte means the body is too large.
                        var probe = new byte[1];
                        return (buffer, await request.Body.ReadAsync(probe, cancellationToken) == 0 ? length : length + 1);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Whether the request speaks a revision with standard headers (2026-07-28 or later), which the SDK checks against the
    /// body. Mirrors the SDK's own test: an ordinal comparison of the revision date.
    /// </summary>
    internal static bool UsesStandardHeaders(HttpRequest request) =>
        string.CompareOrdinal(request.Headers[ProtocolVersionHeader].ToString(), HeaderValidatedProtocolVersion) >= 0;

    private static bool IsToolCall(string methodHeader) =>
        methodHeader.AsSpan().Trim().Equals("tools/call", StringComparison.OrdinalIgnoreCase);

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "A tools/call for {Tool} was refused before the tool ran: {Decision}.")]
        public static partial void ToolCallRefused(ILogger logger, string tool, ToolAccessDecision decision);

        [LoggerMessage(21, LogLevel.Debug, "An MCP request body was refused before it reached the MCP server: {Reason}")]
        public static partial void BodyRefused(ILogger logger, string reason);
    }
}
