using System.Buffers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Gate;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Enforces <see cref="RequireRelationAttribute"/> in the MCP SDK's request filters of <c>tools/call</c>,
/// <c>prompts/get</c> and <c>resources/read</c>: after the gate and the SDK's authorization filters have judged the
/// caller's scopes, before the tool, prompt or resource runs. The resources a call names are read (arguments that cannot
/// name one get JSON-RPC invalid params), the caller's relations with them are checked in one request, and a call lacking
/// one is refused without running: a tool with a tool error, a prompt or resource with a JSON-RPC error, both in HTTP
/// 200 and both carrying the structured denial. A check Descope cannot answer refuses the call as "could not check".
/// </summary>
internal sealed partial class RelationFilters(
    RelationCache cache, IOptions<DescopeMcpOptions> options, DescopeTelemetry telemetry, ILogger<RelationFilters> logger)
{
    /// <summary>The key of the draft MCP structured authorization denial (SEP-2643).</summary>
    public const string AuthorizationMetaKey = "io.modelcontextprotocol/authorization";

    /// <summary>The key under which a denial names the relations the caller lacks.</summary>
    public const string RelationsMetaKey = "com.descope/relations";

    private static readonly JsonElement Denial = JsonElement.Parse("""{"reason":"insufficient_authorization","remediation":"unavailable"}"""u8);

    private readonly FgaOptions _fga = options.Value.Fga;

    /// <summary>Adds the filters, closest to the handlers: after every filter the app or the SDK configured.</summary>
    public void AddTo(McpServerOptions options)
    {
        options.Filters.Request.CallToolFilters.Add(CallTool);
        options.Filters.Request.GetPromptFilters.Add(GetPrompt);
        options.Filters.Request.ReadResourceFilters.Add(ReadResource);
    }

    private McpRequestHandler<CallToolRequestParams, CallToolResult> CallTool(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        Guard(
            next,
            static (relations, parameters) => relations.TryReadResources(parameters?.Arguments, out var resources, out var invalid) ? (resources, null) : (null, invalid),
            static refusal => refusal.ToToolResult());

    private McpRequestHandler<GetPromptRequestParams, GetPromptResult> GetPrompt(McpRequestHandler<GetPromptRequestParams, GetPromptResult> next) =>
        Guard(
            next,
            static (relations, parameters) => relations.TryReadResources(parameters?.Arguments, out var resources, out var invalid) ? (resources, null) : (null, invalid),
            static refusal => throw refusal.ToException());

    private McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> ReadResource(McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> next) =>
        Guard(
            next,
            static (relations, parameters) => relations.TryReadResources(parameters?.Uri, out var resources, out var invalid) ? (resources, null) : (null, invalid),
            static refusal => throw refusal.ToException());

    /// <summary>
    /// One filter of a primitive's requests: a primitive without relations runs as it would; otherwise the resources the
    /// request names are read (<paramref name="readResources"/>: the resources, or why they cannot be read), judged, and a
    /// refusal answered the way the request's kind answers one (<paramref name="refuse"/>) instead of running it.
    /// </summary>
    private McpRequestHandler<TParams, TResult> Guard<TParams, TResult>(
        McpRequestHandler<TParams, TResult> next,
        Func<PrimitiveRelations, TParams?, (string[]? Resources, string? Invalid)> readResources,
        Func<Refusal, TResult> refuse)
        where TParams : class =>
        async (request, cancellationToken) =>
        {
            if (request.MatchedPrimitive is not { } primitive || PrimitiveRelations.Of(primitive) is not { } relations)
            {
                return await next(request, cancellationToken);
            }

            var (resources, invalid) = readResources(relations, request.Params);
            if (resources is null)
            {
                throw InvalidParams(relations, invalid!);
            }

            return await JudgeAsync(relations, resources, request.User, cancellationToken) is { } refusal
                ? refuse(refusal)
                : await next(request, cancellationToken);
        };

    /// <summary>
    /// Whether the caller has every relation the primitive requires with the resources the call names; a refusal when it
    /// does not or when that cannot be known, <see langword="null"/> when the call may run.
    /// </summary>
    private async ValueTask<Refusal?> JudgeAsync(PrimitiveRelations relations, string[] resources, ClaimsPrincipal? user, CancellationToken cancellationToken)
    {
        var requirements = relations.Requirements;
        if (relations.Problem is { } problem)
        {
            // Startup refuses these; one added at run time is refused here rather than half checked.
            Log.Misconfigured(logger, problem);
            return Refusal.CouldNotCheck(relations, resources, "the server's relation settings are invalid");
        }

        if (DescopeRelations.TargetOf(user, _fga) is not (var target, var targetType))
        {
            for (var i = 0; i < requirements.Length; i++)
            {
                telemetry.RelationDenied(user, null, null, relations.Kind, relations.Name, requirements[i].Relation, requirements[i].ResourceType, resources[i]);
            }

            var machine = user?.Identity?.IsAuthenticated == true && user.IsMachineCaller();
            Log.NoTarget(logger, relations.Kind, relations.Name, machine);
            return Refusal.Denied(relations, resources, [.. Enumerable.Range(0, requirements.Length)], machine ? NoTargetKind.Machine : NoTargetKind.Anonymous);
        }

        var tenant = user!.GetCurrentTenant();
        RelationCacheEntry[] answers;
        try
        {
            answers = requirements.Length == 1
                ? [await cache.CheckAsync(Tuple(requirements[0], resources[0], target, targetType), context: null, tenant, cancellationToken)]
                : await cache.CheckAsync([.. requirements.Select((r, i) => Tuple(r, resources[i], target, targetType))], context: null, tenant, cancellationToken);
        }
        catch (RelationCheckException ex)
        {
            Log.CouldNotCheck(logger, relations.Kind, relations.Name, ex.Failure);
            return Refusal.CouldNotCheck(relations, resources, ex.Failure == RelationCheckFailure.Rejected ? "Descope refused the check" : "Descope did not answer");
        }
        catch (InvalidOperationException ex)
        {
            // No management key: startup refuses that, unless the primitive was added while the server ran.
            Log.Misconfigured(logger, ex.Message);
            return Refusal.CouldNotCheck(relations, resources, "the server's relation settings are invalid");
        }

        List<int>? denied = null;
        for (var i = 0; i < answers.Length; i++)
        {
            if (!answers[i].Allowed)
            {
                (denied ??= []).Add(i);
                telemetry.RelationDenied(user, targetType, target, relations.Kind, relations.Name, requirements[i].Relation, requirements[i].ResourceType, resources[i]);
            }
        }

        if (denied is null)
        {
            return null;
        }

        Log.Denied(logger, relations.Kind, relations.Name, denied.Count);
        return Refusal.Denied(relations, resources, [.. denied], NoTargetKind.None);
    }

    private static RelationTuple Tuple(PrimitiveRelations.Requirement requirement, string resource, string target, string targetType) =>
        new() { Resource = resource, ResourceType = requirement.ResourceType, Relation = requirement.Relation, Target = target, TargetType = targetType };

    private McpProtocolException InvalidParams(PrimitiveRelations relations, string invalid)
    {
        Log.ArgumentsUnusable(logger, relations.Kind, relations.Name);
        return new McpProtocolException("Invalid params: " + invalid, McpErrorCode.InvalidParams);
    }

    private enum NoTargetKind
    {
        None,
        Machine,
        Anonymous,
    }

    /// <summary>A refused call: denied (the structured denial names what is lacking) or not checked; its texts are fixed but for the names and IDs.</summary>
    private sealed class Refusal(bool denied, string message, JsonElement relations)
    {
        public static Refusal Denied(PrimitiveRelations primitive, string[] resources, int[] lacking, NoTargetKind noTarget)
        {
            var named = Named(primitive, resources, lacking);
            var message = noTarget switch
            {
                NoTargetKind.Machine => $"Forbidden: a machine caller has no relations to check here, and this {primitive.Kind.Name()} needs {named}.",
                NoTargetKind.Anonymous => $"Forbidden: this {primitive.Kind.Name()} needs a signed-in user with {named}.",
                _ => $"Forbidden: the caller does not have {named}. Relations are granted in Descope; signing in again or with more scopes does not grant them.",
            };
            return new Refusal(denied: true, message, RelationsJson(primitive, resources, lacking));
        }

        public static Refusal CouldNotCheck(PrimitiveRelations primitive, string[] resources, string reason)
        {
            int[] all = [.. Enumerable.Range(0, primitive.Requirements.Length)];
            return new Refusal(
                denied: false,
                $"Could not check whether the caller has {Named(primitive, resources, all)}: {reason}. The {primitive.Kind.Name()} did not run; try again later.",
                RelationsJson(primitive, resources, all));
        }

        public CallToolResult ToToolResult() => new()
        {
            IsError = true,
            Content = [new TextContentBlock { Text = message }],
            Meta = denied ? new JsonObject { [AuthorizationMetaKey] = JsonNode.Parse(Denial.GetRawText()), [RelationsMetaKey] = JsonNode.Parse(relations.GetRawText()) } : null,
        };

        public McpProtocolException ToException()
        {
            if (!denied)
            {
                return new McpProtocolException(message, McpErrorCode.InternalError);
            }

            // The JSON-RPC error's data: the same members as a denied tool result's _meta.
            var exception = new McpProtocolException(message, McpErrorCode.InvalidRequest);
            exception.Data[AuthorizationMetaKey] = Denial;
            exception.Data[RelationsMetaKey] = relations;
            return exception;
        }

        /// <summary>"the relation viewer on calendar 'team'", joined with "and" for several.</summary>
        private static string Named(PrimitiveRelations primitive, string[] resources, int[] which)
        {
            var text = new StringBuilder(which.Length == 1 ? "the relation " : "the relations ");
            for (var n = 0; n < which.Length; n++)
            {
                var requirement = primitive.Requirements[which[n]];
                text.Append(n == 0 ? string.Empty : n == which.Length - 1 ? " and " : ", ")
                    .Append(requirement.Relation).Append(" on ").Append(requirement.ResourceType).Append(" '").Append(resources[which[n]]).Append('\'');
            }

            return text.ToString();
        }

        private static JsonElement RelationsJson(PrimitiveRelations primitive, string[] resources, int[] which)
        {
            var buffer = new ArrayBufferWriter<byte>(128);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var i in which)
                {
                    writer.WriteStartObject();
                    writer.WriteString("relation", primitive.Requirements[i].Relation);
                    writer.WriteString("resourceType", primitive.Requirements[i].ResourceType);
                    writer.WriteString("resource", resources[i]);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            return JsonElement.Parse(buffer.WrittenSpan);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(305, LogLevel.Information, "A call of {Kind} {Name} was refused before it ran: the caller lacks {Count} of the relations it requires.")]
        public static partial void Denied(ILogger logger, McpPrimitiveKind kind, string name, int count);

        [LoggerMessage(306, LogLevel.Warning, "A call of {Kind} {Name} was refused before it ran: its relations could not be checked ({Failure}).")]
        public static partial void CouldNotCheck(ILogger logger, McpPrimitiveKind kind, string name, RelationCheckFailure failure);

        [LoggerMessage(307, LogLevel.Information, "A call of {Kind} {Name} was refused before it ran: the caller has no target to check (a machine caller: {Machine}).")]
        public static partial void NoTarget(ILogger logger, McpPrimitiveKind kind, string name, bool machine);

        [LoggerMessage(308, LogLevel.Debug, "A call of {Kind} {Name} was refused with invalid params: its arguments name no resource the relations can be checked on.")]
        public static partial void ArgumentsUnusable(ILogger logger, McpPrimitiveKind kind, string name);

        [LoggerMessage(309, LogLevel.Error, "{Problem} Its calls are refused.")]
        public static partial void Misconfigured(ILogger logger, string problem);
    }
}
