using Descope.Mcp.AspNetCore.Arguments;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// The Descope rules an MCP tool, prompt or resource carries in its metadata (attributes of its method and class), read
/// once per primitive.
/// </summary>
internal sealed class McpPrimitiveRules
{
    public static readonly McpPrimitiveRules Open = new([], [], []);

    /// <summary>The rules of a primitive marked <c>[AllowAnonymous]</c>: none, and open to callers without credentials where the server allows them.</summary>
    public static readonly McpPrimitiveRules Anonymous = new([], [], []);

    private McpPrimitiveRules(string[] scopes, DescopeClaimsRequirement[] claimRequirements, Type[] argumentRules)
    {
        Scopes = scopes;
        ClaimRequirements = claimRequirements;
        ArgumentRules = argumentRules;
    }

    /// <summary>Every scope the primitive needs (all-of, across all its attributes).</summary>
    public string[] Scopes { get; }

    /// <summary>Its role and permission requirements.</summary>
    public DescopeClaimsRequirement[] ClaimRequirements { get; }

    /// <summary>Its <see cref="IArgumentScopeRule"/> types, which add scopes depending on a call's arguments.</summary>
    public Type[] ArgumentRules { get; }

    /// <summary>Whether any signed-in caller may use the primitive.</summary>
    public bool IsOpen => ReferenceEquals(this, Open) || AllowsAnonymous;

    /// <summary>Whether the primitive is marked <c>[AllowAnonymous]</c>.</summary>
    public bool AllowsAnonymous => ReferenceEquals(this, Anonymous);

    public static McpPrimitiveRules Read(IMcpServerPrimitive primitive)
    {
        var metadata = primitive.Metadata;
        var scopes = new List<string>();
        var claimRequirements = new List<DescopeClaimsRequirement>();
        var argumentRules = new List<Type>();
        foreach (var item in metadata)
        {
            if (item is IAllowAnonymous)
            {
                // The MCP SDK lets [AllowAnonymous] anywhere on the method or class win; so does the gate.
                return Anonymous;
            }

            if (item is not IAuthorizationRequirementData data)
            {
                continue;
            }

            foreach (var requirement in data.GetRequirements())
            {
                switch (requirement)
                {
                    case DescopeScopesRequirement scoped:
                        foreach (var scope in scoped.Scopes)
                        {
                            if (!scopes.Contains(scope, StringComparer.Ordinal))
                            {
                                scopes.Add(scope);
                            }
                        }

                        break;
                    case DescopeClaimsRequirement claims:
                        claimRequirements.Add(claims);
                        break;
                    case ArgumentScopesRequirement arguments when !argumentRules.Contains(arguments.RuleType):
                        argumentRules.Add(arguments.RuleType);
                        break;
                }
            }
        }

        return scopes.Count == 0 && claimRequirements.Count == 0 && argumentRules.Count == 0
            ? Open
            : new McpPrimitiveRules([.. scopes], [.. claimRequirements], [.. argumentRules]);
    }

    /// <summary>The scopes named by the rules of every tool, prompt and resource of the server.</summary>
    public static IEnumerable<string> ScopesUsedBy(McpServerOptions options) => ScopeUses(options).Select(use => use.Scope);

    /// <summary>
    /// Each scope named by the rules of a tool, prompt or resource of the server, with the primitive that names it, for
    /// example <c>("greet", "tool greet")</c>.
    /// </summary>
    public static IEnumerable<(string Scope, string UsedBy)> ScopeUses(McpServerOptions options)
    {
        (string Kind, IEnumerable<IMcpServerPrimitive>? Primitives)[] collections =
        [
            ("tool", options.ToolCollection),
            ("prompt", options.PromptCollection),
            ("resource", options.ResourceCollection),
        ];
        foreach (var (kind, primitives) in collections)
        {
            foreach (var primitive in primitives ?? [])
            {
                foreach (var scope in Read(primitive).Scopes)
                {
                    yield return (scope, $"{kind} {primitive.Id}");
                }
            }
        }
    }
}
