using System.Buffers;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;
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
internal sealed partial class ToolCallGate(ToolAccessCatalog catalog, IOptions<DescopeMcpOptions> options, ILogger<ToolCallGate> logger)
{
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string MethodHeader = "Mcp-Method";

    /// <summary>The first protocol revision whose standard headers the SDK checks against the body.</summary>
    private const string HeaderValidatedProtocolVersion = "2026-07-28";

    private readonly DescopeMcpOptions _options = options.Value;

    /// <summary>Puts the gate in front of an MCP endpoint's handler.</summary>
    public static RequestDelegate Protect(RequestDelegate handler) =>
        context => context.RequestServices.GetRequiredService<ToolCallGate>().InvokeAsync(context, handler);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || context.User.Identity?.IsAuthenticated != true)
        {
            return next(context);
        }

        if (UsesStandardHeaders(request) && !IsToolCall(request.Headers[MethodHeader].ToString()))
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
            if (decision == ToolAccessDecision.Allowed)
            {
                context.Request.Body = new MemoryStream(buffer, 0, length, writable: false);
                await next(context);
                return;
            }

            Log.ToolCallRefused(logger, message.ToolName!, decision);
            var id = body[message.Id];
            var reply = (decision, _options.ToolAuthorizationFailureMode) switch
            {
                (ToolAccessDecision.MissingScopes, ToolAuthorizationFailureMode.ToolError) =>
                    ToolCallResponses.InsufficientScopeResultAsync(context, id, Failure(context.User, access!)),
                (ToolAccessDecision.MissingScopes, _) =>
                    ToolCallResponses.InsufficientScopeAsync(context, id, access!.ChallengeHeader, Failure(context.User, access)),
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

    /// <summary>Reads the body into a pooled buffer; a length above <paramref name="limit"/> means it was cut off there.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > limit)
                {
                    return (buffer, length);
                }
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
