namespace Descope.Mcp.AspNetCore;

/// <summary>
/// One relation to check in Descope FGA: does <see cref="Target"/> (of <see cref="TargetType"/>) have
/// <see cref="Relation"/> on <see cref="Resource"/> (of <see cref="ResourceType"/>)? Written to Descope as
/// <c>{"resource","resourceType","relation","target","targetType"}</c>.
/// </summary>
public sealed class RelationTuple
{
    /// <summary>The resource ID, for example <c>cal-42</c>.</summary>
    public required string Resource { get; init; }

    /// <summary>The resource type, for example <c>calendar</c>.</summary>
    public required string ResourceType { get; init; }

    /// <summary>The relation, for example <c>viewer</c>.</summary>
    public required string Relation { get; init; }

    /// <summary>The target, for example a user ID.</summary>
    public required string Target { get; init; }

    /// <summary>
    /// The target's type. <see langword="null"/> (the default) means <see cref="FgaOptions.UserTargetType"/>; results
    /// name the type that was checked.
    /// </summary>
    public string? TargetType { get; init; }
}
