using System.Security.Cryptography;

namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A connection in the test authority's vault: a user's (or a tenant's) grant to a third-party app, and the token
/// Descope would hold for it.
/// </summary>
public sealed class TestConnection
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private string _accessToken = null!;
    private DateTimeOffset? _expiresAt;

    internal TestConnection(string appId, string? userId, string? tenantId, IEnumerable<string> scopes, TimeProvider time)
    {
        AppId = appId;
        UserId = userId;
        TenantId = tenantId;
        Scopes = [.. scopes];
        _time = time;
        Id = "OT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        Issue();
    }

    /// <summary>Descope's ID of the stored token.</summary>
    public string Id { get; }

    /// <summary>The connection (outbound app) ID.</summary>
    public string AppId { get; }

    /// <summary>The user who connected the app; <see langword="null"/> for a tenant-level connection.</summary>
    public string? UserId { get; }

    /// <summary>The tenant, for tenant-level connections and for users who connected within a tenant.</summary>
    public string? TenantId { get; }

    /// <summary>The scopes the user granted.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The current third-party access token; a new one is issued on every forced refresh.</summary>
    public string AccessToken
    {
        get
        {
            lock (_gate)
            {
                return _accessToken;
            }
        }
    }

    /// <summary>The refresh token the vault holds for the connection.</summary>
    public string RefreshToken { get; } = "test-rt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    /// <summary>The token type. Default: <c>Bearer</c>.</summary>
    public string TokenType { get; set; } = "Bearer";

    /// <summary>How long each issued access token lives. Default: one hour.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When the current access token expires; <see langword="null"/> writes no expiry.</summary>
    public DateTimeOffset? ExpiresAt
    {
        get
        {
            lock (_gate)
            {
                return _expiresAt;
            }
        }

        set
        {
            lock (_gate)
            {
                _expiresAt = value;
            }
        }
    }

    /// <summary>How <c>accessTokenExpiry</c> is written. Default: <see cref="TestTokenExpiryFormat.EpochSeconds"/>.</summary>
    public TestTokenExpiryFormat ExpiryFormat { get; set; }

    /// <summary>How many times the token was refreshed by a <c>forceRefresh</c> request.</summary>
    public int Refreshes { get; private set; }

    internal (string AccessToken, DateTimeOffset? ExpiresAt) Refresh()
    {
        lock (_gate)
        {
            Refreshes++;
            Issue();
            return (_accessToken, _expiresAt);
        }
    }

    internal (string AccessToken, DateTimeOffset? ExpiresAt) Current()
    {
        lock (_gate)
        {
            return (_accessToken, _expiresAt);
        }
    }

    private void Issue()
    {
        _accessToken = "test-at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        _expiresAt = _time.GetUtcNow() + Lifetime;
    }
}
