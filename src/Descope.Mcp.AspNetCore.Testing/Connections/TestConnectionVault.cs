namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// The test authority's connection vault: Descope's outbound-token API (user and tenant tokens, by scopes and latest,
/// and the connect URL) over stored connections, with Descope's strictness about the body and the
/// <c>Authorization</c> header, deny rules standing in for connection policies, switchable faults, and a record of
/// every request.
/// </summary>
/// <remarks>
/// Requests are authorized like Descope's: <c>Bearer &lt;ProjectId&gt;:&lt;secret&gt;</c>, where the secret is an access
/// token this authority signed (valid now, carrying the <c>outbound.token.fetch</c> scope) or <see cref="ManagementKey"/>.
/// With an access token, policies apply: a user may fetch only their own tokens, tenant tokens only of a tenant they
/// belong to (<c>dct</c> or <c>tenants</c>), and nothing a deny rule names. The management key bypasses all of them.
/// </remarks>
public sealed class TestConnectionVault
{
    /// <summary>The scope an access token needs to fetch connection tokens.</summary>
    public const string FetchScope = "outbound.token.fetch";

    private readonly Lock _gate = new();
    private readonly List<TestConnection> _connections = [];
    private readonly List<TestVaultRequest> _requests = [];
    private readonly HashSet<string> _deniedApps = new(StringComparer.Ordinal);
    private readonly HashSet<(string UserId, string? AppId)> _deniedUsers = [];
    private readonly TimeProvider _time;

    internal TestConnectionVault(TimeProvider time) => _time = time;

    /// <summary>
    /// How the connect page names apps, by app ID, for example <c>AppNames["google-calendar"] = "Google Calendar"</c>, as
    /// the Descope console names outbound apps. An app without an entry is named after its ID when the ID is made of
    /// letters, digits, hyphens and underscores (<c>google-calendar</c> becomes <c>Google Calendar</c>), else shown by its ID.
    /// </summary>
    public IDictionary<string, string> AppNames { get; } = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The management key the vault accepts; <see langword="null"/> (the default) accepts none.</summary>
    public string? ManagementKey { get; set; }

    /// <summary>Switchable faults: errors, rate limits, dropped connections, slow or held answers.</summary>
    public TestVaultFaults Faults { get; } = new();

    /// <summary>Every request received so far, oldest first.</summary>
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

    /// <summary>How many requests reached the four token endpoints (the connect endpoint is not counted).</summary>
    public int TokenRequestCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count(r => r.Path.Contains("/token", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Stores a user's connection, as if the user had connected the app.</summary>
    /// <param name="appId">The connection (outbound app) ID.</param>
    /// <param name="userId">The user.</param>
    /// <param name="scopes">The granted scopes.</param>
    /// <param name="tenantId">The tenant the user connected within, if any.</param>
    /// <returns>The connection, to read its token or change its expiry.</returns>
    public TestConnection AddUserConnection(string appId, string userId, IEnumerable<string>? scopes = null, string? tenantId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return Add(new TestConnection(appId, userId, tenantId, scopes ?? [], _time));
    }

    /// <summary>Stores a tenant-level connection.</summary>
    /// <param name="appId">The connection (outbound app) ID.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="scopes">The granted scopes.</param>
    /// <returns>The connection.</returns>
    public TestConnection AddTenantConnection(string appId, string tenantId, IEnumerable<string>? scopes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        return Add(new TestConnection(appId, userId: null, tenantId, scopes ?? [], _time));
    }

    /// <summary>Removes a connection, as if the user had revoked it.</summary>
    /// <param name="connection">The connection.</param>
    public void Remove(TestConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>A policy rule: callers may not fetch tokens of this app.</summary>
    /// <param name="appId">The connection (outbound app) ID.</param>
    public void DenyApp(string appId)
    {
        lock (_gate)
        {
            _deniedApps.Add(appId);
        }
    }

    /// <summary>A policy rule: this user may not fetch tokens (of one app, or of any).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="appId">The app, or <see langword="null"/> for all apps.</param>
    public void DenyUser(string userId, string? appId = null)
    {
        lock (_gate)
        {
            _deniedUsers.Add((userId, appId));
        }
    }

    /// <summary>Removes every deny rule.</summary>
    public void ClearPolicies()
    {
        lock (_gate)
        {
            _deniedApps.Clear();
            _deniedUsers.Clear();
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

    /// <summary>
    /// The connection whose current access token this is, or <see langword="null"/>: what a stand-in for the third-party
    /// API uses to accept only tokens the vault issued.
    /// </summary>
    /// <param name="accessToken">The token a third-party API received.</param>
    /// <returns>The connection, or <see langword="null"/> when no connection holds that token now.</returns>
    public TestConnection? FindByAccessToken(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var presented = System.Text.Encoding.UTF8.GetBytes(accessToken);
        lock (_gate)
        {
            return _connections.FirstOrDefault(c => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(c.AccessToken), presented));
        }
    }

    /// <summary>The name pages show for an app: <see cref="AppNames"/>, else one made from its ID, else the ID.</summary>
    internal string AppName(string appId)
    {
        if (AppNames.TryGetValue(appId, out var name) && !string.IsNullOrWhiteSpace(name))
        {
            return name;
        }

        if (appId.Length == 0 || !appId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return appId;
        }

        var words = appId.Split(['-', '_'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? appId : string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    internal void Record(TestVaultRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    internal bool IsDenied(string appId, string? userId)
    {
        lock (_gate)
        {
            return _deniedApps.Contains(appId)
                || (userId is not null && (_deniedUsers.Contains((userId, null)) || _deniedUsers.Contains((userId, appId))));
        }
    }

    /// <summary>
    /// The newest connection of the owner that grants every requested scope (any connection when none are requested).
    /// </summary>
    internal TestConnection? Find(string appId, string? userId, string? tenantId, IReadOnlyCollection<string> scopes)
    {
        lock (_gate)
        {
            return _connections.LastOrDefault(c =>
                c.AppId == appId && c.UserId == userId && c.TenantId == tenantId && scopes.All(c.Scopes.Contains));
        }
    }

    private TestConnection Add(TestConnection connection)
    {
        lock (_gate)
        {
            _connections.Add(connection);
        }

        return connection;
    }
}
