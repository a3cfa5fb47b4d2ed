namespace Descope.Mcp.AspNetCore.Testing.Connections;

/// <summary>What a connect URL asks for: connect an app for a user (in a tenant), with scopes, then return somewhere.</summary>
internal sealed record ConnectRequest(string AppId, string UserId, string? TenantId, string[] Scopes, Uri? Redirect);
