namespace Descope.Mcp.AspNetCore;

/// <summary>Descope's answer for one <see cref="RelationTuple"/>.</summary>
public sealed class RelationCheckResult
{
    /// <summary>The tuple checked, with its target type filled in.</summary>
    public required RelationTuple Tuple { get; init; }

    /// <summary>Whether the target has the relation with the resource.</summary>
    public required bool Allowed { get; init; }

    /// <summary>
    /// Whether the relation is held directly rather than derived through the schema, when Descope says (its answer's
    /// <c>info.direct</c>); otherwise <see langword="null"/>.
    /// </summary>
    public bool? Direct { get; init; }
}
