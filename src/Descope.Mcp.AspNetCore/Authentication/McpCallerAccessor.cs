using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Finds the <see cref="McpCaller"/> of the current call. Inside MCP message handling it is the user of the request
/// that carried the message, whatever <see cref="HttpContext"/> the transport runs the handler in; elsewhere it is the
/// current request's. Either way the token must pass this library's validation now, or there is no caller.
/// </summary>
internal sealed class McpCallerAccessor(IHttpContextAccessor httpContextAccessor, IDescopeTokenValidator validator)
{
    public async Task<McpCaller?> GetAsync(CancellationToken cancellationToken = default)
    {
        if (McpMessageCaller.InThisFlow is { } message)
        {
            // Never falls back to the HttpContext here: on the legacy SSE transport it belongs to the stream, whose
            // token did not authorise this message.
            var token = DescopeIdentity.BearerTokenOf(message.User);
            if (token is null)
            {
                return null;
            }

            var result = DescopeIdentity.ProofOf(message.User) is { } proven
                ? await validator.ValidateDPoPTokenAsync(token, proven, cancellationToken)
                : await validator.ValidateTokenAsync(token, cancellationToken);
            return result.IsValid ? new McpCaller(result.Principal!, token) : null;
        }

        var context = httpContextAccessor.HttpContext;
        if (context is null || BearerToken.Read(context.Request) is not { } requestToken)
        {
            return null;
        }

        var authenticated = await context.AuthenticateAsync(DescopeMcpDefaults.AuthenticationScheme);
        return authenticated.Succeeded ? new McpCaller(authenticated.Principal, requestToken) : null;
    }
}
