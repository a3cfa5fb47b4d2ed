using System.Security.Claims;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Gate;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Arguments;

/// <summary>
/// The requirement of <see cref="RequireArgumentScopesAttribute"/>: the caller holds every scope its rule finds in the
/// call's arguments. It handles itself, so the MCP SDK's authorization filter enforces it on every <c>tools/call</c> and
/// <c>prompts/get</c> it authorizes (whatever reached the MCP server without passing the gate), and it lets
/// <c>tools/list</c> and <c>prompts/list</c> through, which have no arguments. Anywhere else it fails: a rule about
/// arguments has nothing to judge there. As in front of the server, arguments that do not conform to the tool's input
/// schema or the prompt's argument list are refused with invalid params before the rule runs.
/// </summary>
internal sealed class ArgumentScopesRequirement : IAuthorizationRequirement, IAuthorizationHandler
{
    private static readonly JsonElement NoArguments = JsonElement.Parse("{}"u8);

    public ArgumentScopesRequirement(Type ruleType)
    {
        ArgumentNullException.ThrowIfNull(ruleType);
        if (!typeof(IArgumentScopeRule).IsAssignableFrom(ruleType) || ruleType.IsAbstract || ruleType.IsGenericTypeDefinition)
        {
            throw new ArgumentException($"{ruleType.Name} must be a concrete class implementing {nameof(IArgumentScopeRule)}.", nameof(ruleType));
        }

        RuleType = ruleType;
    }

    public Type RuleType { get; }

    /// <summary>The arguments of a call as a rule sees them: what the client sent, or an empty object.</summary>
    public static JsonElement Arguments(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? NoArguments : JsonElement.Parse(json);

    /// <summary>
    /// Every scope the rules require for this call, each once. Throws when a rule throws or returns something that is not
    /// an OAuth scope; callers refuse the call then.
    /// </summary>
    public static async ValueTask<List<string>> RequiredScopesAsync(IReadOnlyList<Type> ruleTypes, ArgumentScopeContext context, CancellationToken cancellationToken)
    {
        var scopes = new List<string>();
        foreach (var ruleType in ruleTypes)
        {
            var rule = (IArgumentScopeRule)ActivatorUtilities.GetServiceOrCreateInstance(context.RequestServices, ruleType);
            foreach (var scope in await rule.GetRequiredScopesAsync(context, cancellationToken) ?? [])
            {
                if (!ScopeSyntax.IsValidScope(scope))
                {
                    throw new InvalidOperationException($"The argument scope rule {ruleType.Name} returned a value that is not an OAuth scope.");
                }

                if (!scopes.Contains(scope, StringComparer.Ordinal))
                {
                    scopes.Add(scope);
                }
            }
        }

        return scopes;
    }

    async Task IAuthorizationHandler.HandleAsync(AuthorizationHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.PendingRequirements.Contains(this) && await IsSatisfiedAsync(context.User, context.Resource))
        {
            context.Succeed(this);
        }
    }

    private async Task<bool> IsSatisfiedAsync(ClaimsPrincipal user, object? resource)
    {
        return resource switch
        {
            RequestContext<ListToolsRequestParams> or RequestContext<ListPromptsRequestParams> => true,
            RequestContext<CallToolRequestParams> { Params: { } call, Services: { } services, MatchedPrimitive: McpServerTool tool } =>
                await IsSatisfiedAsync(user, McpPrimitiveKind.Tool, call.Name, ToolArgumentSchema.For(tool), call.Arguments, services),
            RequestContext<GetPromptRequestParams> { Params: { } get, Services: { } services, MatchedPrimitive: McpServerPrompt prompt } =>
                await IsSatisfiedAsync(user, McpPrimitiveKind.Prompt, get.Name, ToolArgumentSchema.For(prompt), get.Arguments, services),
            _ => false,
        };
    }

    private async Task<bool> IsSatisfiedAsync(
        ClaimsPrincipal user, McpPrimitiveKind kind, string name, ToolArgumentSchema schema, IDictionary<string, JsonElement>? sent, IServiceProvider services)
    {
        // Thrown, not failed: the SDK answers an McpProtocolException with its code, and the tool or prompt does not run.
        if (!schema.TryConform(ToElement(sent), out var conforming, out var invalid))
        {
            throw new McpProtocolException("Invalid params: " + invalid, McpErrorCode.InvalidParams);
        }

        try
        {
            var arguments = new ArgumentScopeContext(kind, name, conforming, user, services);
            var required = await RequiredScopesAsync([RuleType], arguments, CancellationToken.None);
            return DescopeClaims.MissingScopes(user, required).Length == 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    internal static JsonElement ToElement(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null)
        {
            return NoArguments;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in arguments)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonElement.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(ArgumentScopesRequirement)}: the access token must grant the scopes {RuleType.Name} requires for the call's arguments";
}
