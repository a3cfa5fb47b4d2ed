namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>A request for the URL where a user connects an app.</summary>
internal sealed record ConnectUrlFetch(string AppId, string? TenantId, IReadOnlyList<string> Scopes, Uri? RedirectUrl, DescopeCredential Credential);
