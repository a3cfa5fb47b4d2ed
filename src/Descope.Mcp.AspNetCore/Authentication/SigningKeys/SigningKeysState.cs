namespace Descope.Mcp.AspNetCore.Authentication.SigningKeys;

/// <summary>A read-only view of <see cref="DescopeSigningKeys"/>: when the keys last loaded and how loads failed since.</summary>
/// <param name="LoadedAt">When the keys in use were loaded; <see langword="null"/> while they have never loaded.</param>
/// <param name="FailedLoadsSinceLastLoad">Failed loads since the last good one (or since the start).</param>
/// <param name="LastFailureAt">When the last load failed, if one did since the last good one.</param>
internal sealed record SigningKeysState(DateTimeOffset? LoadedAt, int FailedLoadsSinceLastLoad, DateTimeOffset? LastFailureAt)
{
    public static readonly SigningKeysState NeverLoaded = new(null, 0, null);

    public bool Loaded => LoadedAt is not null;
}
