using System.Security.Claims;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Callers;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// The <see cref="IDescopeRelations"/>: works out the target (the current caller, or the one named), checks the input,
/// then asks the cache.
/// </summary>
internal sealed class DescopeRelations(McpCallerAccessor callers, RelationCache cache, IOptions<DescopeMcpOptions> options) : IDescopeRelations
{
    private readonly DescopeMcpOptions _options = options.Value;

    public async Task<RelationCheckResult> CheckAsync(
        string relation,
        string resourceType,
        string resource,
        IReadOnlyDictionary<string, JsonElement>? context = null,
        CancellationToken cancellationToken = default)
    {
        CheckValue(relation, nameof(relation));
        CheckValue(resourceType, nameof(resourceType));
        CheckValue(resource, nameof(resource));
        RequireManagementKey();

        var lookup = await callers.GetAsync(cancellationToken);
        if (lookup.IsRefused)
        {
            throw new RelationCheckException(
                lookup.Refused == DescopeTokenFailure.AuthorityUnavailable ? RelationCheckFailure.Unavailable : RelationCheckFailure.CallerTokenInvalid,
                "The caller's access token is no longer valid, so the relation was not checked; sign in again.");
        }

        var caller = lookup.Caller?.Principal
            ?? throw new InvalidOperationException(
                "CheckAsync without a target needs the current request's authenticated Descope caller. Call it from an MCP tool on a " +
                "Descope-protected endpoint, or use the overload that names the targets.");
        if (TargetOf(caller, _options.Fga) is not (var target, var targetType))
        {
            throw new RelationCheckException(
                RelationCheckFailure.MachineCaller,
                "The caller is a machine client, which has no relations to check here (Descope:Fga:ClientTargetType is not set).");
        }

        var tuple = new RelationTuple { Resource = resource, ResourceType = resourceType, Relation = relation, Target = target, TargetType = targetType };
        var answer = await cache.CheckAsync(tuple, context, caller.GetCurrentTenant(), cancellationToken);
        return new RelationCheckResult { Tuple = tuple, Allowed = answer.Allowed, Direct = answer.Direct };
    }

    public async Task<IReadOnlyList<RelationCheckResult>> CheckAsync(
        IEnumerable<RelationTuple> tuples,
        IReadOnlyDictionary<string, JsonElement>? context = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tuples);
        var asked = new List<RelationTuple>();
        foreach (var tuple in tuples)
        {
            ArgumentNullException.ThrowIfNull(tuple, nameof(tuples));
            CheckValue(tuple.Resource, nameof(tuples) + "." + nameof(tuple.Resource));
            CheckValue(tuple.ResourceType, nameof(tuples) + "." + nameof(tuple.ResourceType));
            CheckValue(tuple.Relation, nameof(tuples) + "." + nameof(tuple.Relation));
            CheckValue(tuple.Target, nameof(tuples) + "." + nameof(tuple.Target));
            if (tuple.TargetType is not null)
            {
                CheckValue(tuple.TargetType, nameof(tuples) + "." + nameof(tuple.TargetType));
            }

            asked.Add(tuple.TargetType is not null ? tuple : new RelationTuple
            {
                Resource = tuple.Resource,
                ResourceType = tuple.ResourceType,
                Relation = tuple.Relation,
                Target = tuple.Target,
                TargetType = _options.Fga.UserTargetType,
            });
        }

        if (asked.Count == 0)
        {
            return [];
        }

        RequireManagementKey();
        var answers = await cache.CheckAsync(asked, context, partition: null, cancellationToken);
        return [.. asked.Select((tuple, i) => new RelationCheckResult { Tuple = tuple, Allowed = answers[i].Allowed, Direct = answers[i].Direct })];
    }

    /// <summary>
    /// Whose relations a caller's checks are about: a user's ID (<see cref="FgaOptions.UserTargetType"/>), or a machine
    /// caller's client ID when <see cref="FgaOptions.ClientTargetType"/> is set; <see langword="null"/> when the caller
    /// has no target.
    /// </summary>
    internal static (string Target, string TargetType)? TargetOf(ClaimsPrincipal? caller, FgaOptions fga)
    {
        if (caller?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (caller.IsMachineCaller())
        {
            return fga.ClientTargetType is { Length: > 0 } clientType && caller.GetClientId() is { } clientId ? (clientId, clientType) : null;
        }

        return caller.GetUserId() is { } userId ? (userId, fga.UserTargetType) : null;
    }

    private void RequireManagementKey()
    {
        if (string.IsNullOrEmpty(_options.ManagementKey))
        {
            throw new InvalidOperationException(
                "Relations are checked with Descope FGA, which takes the management key: configure Descope:ManagementKey.");
        }
    }

    private static void CheckValue(string? value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > PrimitiveRelations.MaxResourceIdLength || value.Any(char.IsControl))
        {
            throw new ArgumentException($"The value must be 1 to {PrimitiveRelations.MaxResourceIdLength} characters without control characters.", parameter);
        }
    }
}
