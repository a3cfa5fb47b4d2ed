using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

[McpServerToolType]
public sealed class RefreshTokenTools(IConnectionTokenService connections)
{
    [McpServerTool(Name = "user_token_with_refresh"), Description("Fetches the caller's token with its refresh token and says whether one came.")]
    public async Task<string> UserTokenWithRefresh(string appId, string userId, CancellationToken cancellationToken = default)
    {
        var token = await connections.GetUserTokenAsync(
            new UserConnectionTokenRequest { AppId = appId, UserId = userId, WithRefreshToken = true }, cancellationToken);
        return token.RefreshToken is { Length: > 0 } ? "refresh token received" : "no refresh token";
    }
}
