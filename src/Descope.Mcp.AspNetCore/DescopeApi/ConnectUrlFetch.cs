namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>A request for the URL where a user connects an app.</summary>
internal sealed record ConnectUrlFetch(string AppId, string? TenantId, IReadOnlyList<string> Scopes, Uri? RedirectUrl, DescopeCredential Credential);
