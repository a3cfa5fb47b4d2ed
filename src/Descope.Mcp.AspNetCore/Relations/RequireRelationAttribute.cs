namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Requires the caller to have a relation, in Descope FGA, with the resource a tool call, prompt fetch or resource read
/// names: <c>[RequireRelation("viewer", "calendar", Argument = "calendar_id")]</c>. The resource ID is the value of the
/// named argument as the tool or prompt receives it (arguments are first held to its input schema or argument list),
/// or, on a resource template, of the named URI-template variable. The target is the caller's user ID (target type
/// <see cref="FgaOptions.UserTargetType"/>); a machine caller is refused unless <see cref="FgaOptions.ClientTargetType"/>
/// is set, which makes its client ID the target.
/// </summary>
/// <remarks>
/// Checked after the caller's scopes, before the tool, prompt or resource runs. Several attributes on one primitive must
/// all hold and are checked in one request. A refusal is not a step-up: no new token can grant a relation, so a tool
/// answers with a tool error and a prompt or resource with a JSON-RPC error, both carrying
/// <c>{"reason":"insufficient_authorization","remediation":"unavailable"}</c> under
/// <c>io.modelcontextprotocol/authorization</c>. When Descope cannot answer, the call is refused as "could not check".
/// The primitive stays listed: a listing names no resource. The argument must be a string or an integer, spelled one way
/// only; startup fails otherwise, and when no <see cref="DescopeMcpOptions.ManagementKey"/> is configured.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireRelationAttribute : Attribute
{
    /// <summary>Requires <paramref name="relation"/> on a resource of type <paramref name="resourceType"/>.</summary>
    /// <param name="relation">The relation, as the FGA schema names it, for example <c>viewer</c>.</param>
    /// <param name="resourceType">The resource type, as the FGA schema names it, for example <c>calendar</c>.</param>
    public RequireRelationAttribute(string relation, string resourceType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relation);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        Relation = relation;
        ResourceType = resourceType;
    }

    /// <summary>The relation the caller must have.</summary>
    public string Relation { get; }

    /// <summary>The type of the resource.</summary>
    public string ResourceType { get; }

    /// <summary>
    /// The argument (of a tool or prompt) or URI-template variable (of a resource template) whose value is the resource ID.
    /// Required.
    /// </summary>
    public string? Argument { get; set; }
}
