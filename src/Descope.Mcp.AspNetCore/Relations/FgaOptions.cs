namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Settings for relation checks with Descope FGA (<see cref="RequireRelationAttribute"/>, <see cref="IDescopeRelations"/>),
/// bound from <c>Descope:Fga</c>. Checks are management calls: they need <see cref="DescopeMcpOptions.ManagementKey"/>.
/// Retries and the circuit breaker follow <see cref="ConnectionTokenOptions"/> (a breaker of their own); the timeouts are
/// set here.
/// </summary>
public sealed class FgaOptions
{
    /// <summary>The default <see cref="UserTargetType"/>: <c>user</c>.</summary>
    public const string DefaultUserTargetType = "user";

    /// <summary>
    /// The <c>targetType</c> of a user caller, whose user ID is the target, as the FGA schema names users. Default:
    /// <c>user</c>.
    /// </summary>
    public string UserTargetType { get; set; } = DefaultUserTargetType;

    /// <summary>
    /// The <c>targetType</c> of a machine caller (see <see cref="DescopeMcpOptions.MachineCallers"/>), whose client ID is
    /// then the target. Absent (the default): machine callers are refused wherever a relation is required, since they have
    /// no user ID to check.
    /// </summary>
    public string? ClientTargetType { get; set; }

    /// <summary>
    /// How long an answer (allowed or denied) is reused for the same tuple, context, caller tenant and project. Default:
    /// 30 seconds; <see cref="TimeSpan.Zero"/> asks Descope on every check. Failures are never cached.
    /// </summary>
    /// <remarks>
    /// A relation removed in Descope goes on allowing the call for at most this long, and a relation added goes on being
    /// refused for as long. Answers are shared with other instances through the app's <c>HybridCache</c> second level,
    /// encrypted and bound to their key.
    /// </remarks>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where checks are sent instead of the project's <see cref="DescopeMcpOptions.BaseUrl"/>, for example Descope's FGA
    /// cache service (<c>FgaCacheUrl</c> in Descope's SDKs), which answers the same paths. Absent (the default): the base
    /// URL. There is no fallback to the base URL when it fails: a check that cannot be made is refused.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The time one check may take, retries and their waits included. Default: 10 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The time one attempt may take before it is abandoned (and retried). Default: 5 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
