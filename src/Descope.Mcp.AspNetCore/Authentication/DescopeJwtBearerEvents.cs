using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The JwtBearer events the library sets on its scheme: <c>OnAuthenticationFailed</c>, <c>OnChallenge</c> (401 with the
/// MCP-spec challenge, or 503 while the signing keys have never loaded) and <c>OnForbidden</c> (403, with an
/// <c>insufficient_scope</c> challenge when scopes are missing). <c>OnMessageReceived</c> and <c>OnTokenValidated</c> are
/// left to the application.
/// </summary>
internal sealed class DescopeJwtBearerEvents(BearerChallenge challenge, IOptions<DescopeMcpOptions> options)
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the scopes a forbidden request lacks.</summary>
    internal static readonly object RequiredScopesItem = new();

    /// <summary>The <see cref="HttpContext.Items"/> key of the reason the request's token was refused.</summary>
    private static readonly object FailureItem = new();

    private readonly string _retryAfter =
        ((int)Math.Ceiling(options.Value.AuthorityUnavailableRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Remembers why the token was refused for the challenge, and fails (never throws) the authentication.</summary>
    public static Task AuthenticationFailedAsync(AuthenticationFailedContext context)
    {
        context.HttpContext.Items[FailureItem] = FailureOf(context.Exception);
        context.Fail(context.Exception);
        return Task.CompletedTask;
    }

    public Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var failure = context.HttpContext.Items.TryGetValue(FailureItem, out var remembered) && remembered is DescopeTokenFailure known
            ? known
            : FailureOf(context.AuthenticateFailure);
        var response = context.Response;
        if (failure == DescopeTokenFailure.AuthorityUnavailable)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers[HeaderNames.RetryAfter] = _retryAfter;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers[HeaderNames.WWWAuthenticate] = challenge.Unauthorized(failure);
        return Task.CompletedTask;
    }

    public Task ForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (context.HttpContext.Items.TryGetValue(RequiredScopesItem, out var value) && value is IReadOnlyCollection<string> { Count: > 0 } scopes)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = challenge.InsufficientScope(scopes);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The reason behind an authentication failure: the Descope token handler's, or <see cref="DescopeTokenFailure.Invalid"/>
    /// for a failure raised elsewhere (an application's event handler); <see langword="null"/> when there was none.
    /// </summary>
    private static DescopeTokenFailure? FailureOf(Exception? exception) => exception switch
    {
        null => null,
        DescopeTokenRefusedException refused => refused.Failure,
        _ => DescopeTokenFailure.Invalid,
    };
}
