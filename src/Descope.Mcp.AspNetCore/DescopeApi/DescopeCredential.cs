namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// The secret half of <c>Bearer &lt;ProjectId&gt;:&lt;secret&gt;</c>: the caller's access token or the management key.
/// Its <see cref="ToString"/> never shows the secret, so records that hold it stay safe to print.
/// </summary>
internal sealed class DescopeCredential(string secret, bool isManagementKey, bool lacksTokenFetchScope = false)
{
    public string Secret { get; } = secret;

    public bool IsManagementKey { get; } = isManagementKey;

    /// <summary>The caller's access token does not grant <see cref="DescopeConnectionApi.TokenFetchScope"/>.</summary>
    public bool LacksTokenFetchScope { get; } = lacksTokenFetchScope;

    public override string ToString() => IsManagementKey ? "management key" : "caller access token";
}
