using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Callers;

/// <summary>
/// Finds the <see cref="McpCaller"/> of the current call. Inside MCP message handling it is the user of the request
/// that carried the message, whatever <see cref="HttpContext"/> the transport runs the handler in; elsewhere it is the
/// current request's. Either way the token must pass this library's validation now. A call that had a caller (a bearer
/// token, or an authenticated user) whose token does not pass is told apart from a call without any caller, so that
/// nothing treats it as work without a caller.
/// </summary>
internal sealed class McpCallerAccessor(IHttpContextAccessor httpContextAccessor, IDescopeTokenValidator validator)
{
    public async Task<McpCallerLookup> GetAsync(CancellationToken cancellationToken = default)
    {
        if (McpMessageCaller.InThisFlow is { } message)
        {
            // Never falls back to the HttpContext here: on the legacy SSE transport it belongs to the stream, whose
            // token did not authorise this message.
            var token = DescopeIdentity.BearerTokenOf(message.User);
            if (token is null)
            {
                return IsAuthenticated(message.User) ? McpCallerLookup.RefusedFor(DescopeTokenFailure.Invalid) : McpCallerLookup.None;
            }

            var result = DescopeIdentity.ProofOf(message.User) is { } proven
                ? await validator.ValidateDPoPTokenAsync(token, proven, cancellationToken)
                : await validator.ValidateTokenAsync(token, cancellationToken);
            return result.IsValid ? McpCallerLookup.Found(new McpCaller(result.Principal!, token)) : McpCallerLookup.RefusedFor(result.Failure);
        }

        var context = httpContextAccessor.HttpContext;
        if (context is null)
        {
            return McpCallerLookup.None;
        }

        if ((BearerToken.Read(context.Request) ?? DPoPAuthentication.ReadToken(context.Request, out _)) is not { } requestToken)
        {
            return IsAuthenticated(context.User) ? McpCallerLookup.RefusedFor(DescopeTokenFailure.Invalid) : McpCallerLookup.None;
        }

        var authenticated = await context.AuthenticateAsync(DescopeMcpDefaults.AuthenticationScheme);
        return authenticated.Succeeded
            ? McpCallerLookup.Found(new McpCaller(authenticated.Principal, requestToken))
            : McpCallerLookup.RefusedFor((authenticated.Failure as DescopeTokenRefusedException)?.Failure ?? DescopeTokenFailure.Invalid);
    }

    private static bool IsAuthenticated(ClaimsPrincipal? user) => user?.Identities.Any(i => i.IsAuthenticated) == true;
}
