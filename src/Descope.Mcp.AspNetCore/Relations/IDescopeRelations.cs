using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Checks relations in Descope FGA (<c>POST /v1/mgmt/fga/check</c>, with the management key): for the caller of the
/// current MCP call, or for targets named explicitly, also outside any request. Answers are cached like those of
/// <see cref="RequireRelationAttribute"/> (<see cref="FgaOptions.CacheDuration"/>), and identical concurrent checks make
/// one request.
/// </summary>
/// <example><code>
/// var result = await relations.CheckAsync("editor", "calendar", calendarId, cancellationToken: ct);
/// if (!result.Allowed) return "You may not edit this calendar.";
/// </code></example>
public interface IDescopeRelations
{
    /// <summary>
    /// Checks whether the caller of the current MCP call has <paramref name="relation"/> on a resource: its user ID as a
    /// target of <see cref="FgaOptions.UserTargetType"/>, or a machine caller's client ID as a target of
    /// <see cref="FgaOptions.ClientTargetType"/>.
    /// </summary>
    /// <param name="relation">The relation, for example <c>viewer</c>.</param>
    /// <param name="resourceType">The resource type, for example <c>calendar</c>.</param>
    /// <param name="resource">The resource ID.</param>
    /// <param name="context">Values for the conditions of the FGA schema, sent as <c>context</c>; optional.</param>
    /// <param name="cancellationToken">Cancels the wait (a check other callers share goes on).</param>
    /// <returns>The answer: allowed or not.</returns>
    /// <exception cref="RelationCheckException">The relation could not be checked, or the caller has no target.</exception>
    /// <exception cref="InvalidOperationException">There is no current caller, or no management key is configured.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<RelationCheckResult> CheckAsync(
        string relation,
        string resourceType,
        string resource,
        IReadOnlyDictionary<string, JsonElement>? context = null,
        CancellationToken cancellationToken = default);

    /// <summary>Checks tuples with explicit targets, in one request to Descope (cached answers are not asked again).</summary>
    /// <param name="tuples">The tuples to check.</param>
    /// <param name="context">Values for the conditions of the FGA schema, sent as <c>context</c>; optional.</param>
    /// <param name="cancellationToken">Cancels the wait (a check other callers share goes on).</param>
    /// <returns>One answer per tuple, in the order given.</returns>
    /// <exception cref="RelationCheckException">The relations could not be checked.</exception>
    /// <exception cref="InvalidOperationException">No management key is configured.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<IReadOnlyList<RelationCheckResult>> CheckAsync(
        IEnumerable<RelationTuple> tuples,
        IReadOnlyDictionary<string, JsonElement>? context = null,
        CancellationToken cancellationToken = default);
}
