namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// The test authority's FGA relations: Descope's <c>POST /v1/mgmt/fga/check</c> over relation tuples declared in code,
/// with Descope's strictness about the body and the <c>Authorization</c> header (the management key, and nothing else),
/// switchable faults, and a record of every request.
/// </summary>
/// <remarks>
/// Only direct tuples are modeled: a check is allowed exactly when that tuple was added, and its answer says
/// <c>info.direct: true</c>. There is no schema: any resource type or relation is accepted and nothing is derived from
/// another relation (an <c>owner</c> is not a <c>viewer</c> unless that tuple is added too), and <c>context</c> is
/// accepted but conditions are not evaluated.
/// </remarks>
public sealed class TestRelations
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string Target, string TargetType, string Relation, string ResourceType, string Resource)> _tuples = [];
    private readonly List<TestVaultRequest> _requests = [];

    internal TestRelations()
    {
    }

    /// <summary>
    /// The management key the check accepts, as <c>Bearer &lt;ProjectId&gt;:&lt;key&gt;</c>; <see langword="null"/> (the
    /// default) accepts none. Access tokens are refused: FGA checks are management calls.
    /// </summary>
    public string? ManagementKey { get; set; }

    /// <summary>Switchable faults: errors, rate limits, dropped connections, slow or held answers.</summary>
    public TestVaultFaults Faults { get; } = new();

    /// <summary>Every check request received so far, oldest first.</summary>
    public IReadOnlyList<TestVaultRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Declares that <paramref name="target"/> has <paramref name="relation"/> on a resource.</summary>
    /// <param name="target">The target, for example a user ID such as <c>U2DemoUser</c>.</param>
    /// <param name="relation">The relation, for example <c>viewer</c>.</param>
    /// <param name="resourceType">The resource type, for example <c>calendar</c>.</param>
    /// <param name="resource">The resource ID, for example <c>primary</c>.</param>
    /// <param name="targetType">The target's type. Default: <c>user</c>.</param>
    public void Add(string target, string relation, string resourceType, string resource, string targetType = FgaOptions.DefaultUserTargetType)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(relation);
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentException.ThrowIfNullOrEmpty(targetType);
        lock (_gate)
        {
            _tuples.Add((target, targetType, relation, resourceType, resource));
        }
    }

    /// <summary>Removes a relation, as if it had been deleted in Descope.</summary>
    /// <param name="target">The target.</param>
    /// <param name="relation">The relation.</param>
    /// <param name="resourceType">The resource type.</param>
    /// <param name="resource">The resource ID.</param>
    /// <param name="targetType">The target's type. Default: <c>user</c>.</param>
    /// <returns>Whether the relation existed.</returns>
    public bool Remove(string target, string relation, string resourceType, string resource, string targetType = FgaOptions.DefaultUserTargetType)
    {
        lock (_gate)
        {
            return _tuples.Remove((target, targetType, relation, resourceType, resource));
        }
    }

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    internal bool Has(string target, string targetType, string relation, string resourceType, string resource)
    {
        lock (_gate)
        {
            return _tuples.Contains((target, targetType, relation, resourceType, resource));
        }
    }

    internal void Record(TestVaultRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }
}
