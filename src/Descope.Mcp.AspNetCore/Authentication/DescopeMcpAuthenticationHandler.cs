using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The <see cref="DescopeMcpDefaults.AuthenticationScheme"/> handler: validates the bearer token and answers
/// challenges with MCP-spec <c>WWW-Authenticate</c> headers, or 503 when the signing keys cannot be loaded.
/// </summary>
internal sealed class DescopeMcpAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    DescopeTokenValidator validator,
    BearerChallenge challenge,
    IOptions<DescopeMcpOptions> options)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    /// <summary>The <see cref="AuthenticationProperties"/> parameter that carries the scopes a forbidden request lacks.</summary>
    internal const string RequiredScopesParameter = "Descope.Mcp.RequiredScopes";

    private DescopeTokenFailure? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken.Read(Request);
        if (token is null)
        {
            AuthenticationLog.NoToken(Logger);
            return AuthenticateResult.NoResult();
        }

        var result = await validator.ValidateTokenAsync(token, Context.RequestAborted);
        if (!result.IsValid)
        {
            _failure = result.Failure;
            return AuthenticateResult.Fail(result.FailureDescription!);
        }

        AuthenticatedBearerTokens.Remember(result.Principal!, token);
        var properties = new AuthenticationProperties { ExpiresUtc = result.ExpiresAt };
        return AuthenticateResult.Success(new AuthenticationTicket(result.Principal!, properties, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync();
        if (_failure == DescopeTokenFailure.AuthorityUnavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers[HeaderNames.RetryAfter] =
                ((int)Math.Ceiling(options.Value.AuthorityUnavailableRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = challenge.Unauthorized(_failure);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var scopes = properties.GetParameter<IReadOnlyCollection<string>>(RequiredScopesParameter);
        if (scopes is { Count: > 0 })
        {
            Response.Headers[HeaderNames.WWWAuthenticate] = challenge.InsufficientScope(scopes);
        }

        return Task.CompletedTask;
    }
}
