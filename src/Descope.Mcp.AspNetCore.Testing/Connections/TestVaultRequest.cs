namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A request the connection vault or the FGA check received, exactly as it arrived, and the status it answered.
/// </summary>
/// <param name="Path">The request path, for example <c>/v1/mgmt/outbound/app/user/token</c>.</param>
/// <param name="Body">The raw JSON body.</param>
/// <param name="Authorization">The <c>Authorization</c> header, if any.</param>
/// <param name="StatusCode">The HTTP status of the answer.</param>
public sealed record TestVaultRequest(string Path, string Body, string? Authorization, int StatusCode);
