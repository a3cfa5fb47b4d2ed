using System.Globalization;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The JwtBearer events the library handles on its scheme: <c>OnAuthenticationFailed</c>, <c>OnChallenge</c> (401 with the
/// MCP-spec challenge, or 503 while the signing keys have never loaded) and <c>OnForbidden</c> (403, with an
/// <c>insufficient_scope</c> challenge when scopes are missing), and DPoP around <c>OnMessageReceived</c> and
/// <c>OnTokenValidated</c>, which stay the application's: <see cref="SchemeEvents"/> runs the application's handler and
/// then reads <c>Authorization: DPoP</c> and checks its proof, and after a token is validated checks that it and the proven
/// key belong together before the application's handler sees it.
/// </summary>
internal sealed class DescopeJwtBearerEvents(BearerChallenge challenge, DPoPAuthentication dpop, IOptions<DescopeMcpOptions> options)
{
    /// <summary>
    /// The <see cref="HttpContext.Items"/> key of the scopes a refused operation needs: those a forbidden request lacks, or
    /// those a request without a token is challenged to sign in with.
    /// </summary>
    internal static readonly object RequiredScopesItem = new();

    /// <summary>The <see cref="HttpContext.Items"/> key of the reason the request's token was refused.</summary>
    private static readonly object FailureItem = new();

    /// <summary>The <see cref="HttpContext.Items"/> key of the request's DPoP state (<see cref="DPoPRequest"/>).</summary>
    private static readonly object DPoPItem = new();

    private readonly string _retryAfter =
        ((int)Math.Ceiling(options.Value.AuthorityUnavailableRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Remembers why the token was refused for the challenge, and fails (never throws) the authentication.</summary>
    public static Task AuthenticationFailedAsync(AuthenticationFailedContext context)
    {
        context.HttpContext.Items[FailureItem] = FailureOf(context.Exception);
        context.Fail(context.Exception);
        return Task.CompletedTask;
    }

    /// <summary>
    /// After the application's handler: takes the token of <c>Authorization: DPoP</c> once its proof is valid, and refuses
    /// bearer tokens when DPoP is required. A token the application supplied itself is left alone (it is judged as a
    /// bearer token, so a bound one is refused after validation).
    /// </summary>
    public void MessageReceived(MessageReceivedContext context)
    {
        if (context.Result is not null || context.Token is not null)
        {
            return;
        }

        var request = context.Request;
        var token = DPoPAuthentication.ReadToken(request, out var usesScheme);
        if (!usesScheme)
        {
            if (dpop.Required && BearerToken.Read(request) is not null)
            {
                Fail(context, DescopeTokenFailure.DPoPRequired);
            }

            return;
        }

        var state = new DPoPRequest();
        context.HttpContext.Items[DPoPItem] = state;
        if (token is null)
        {
            // "DPoP" without a token is no credential, as an empty "Bearer" is none: a bare challenge.
            return;
        }

        var proof = dpop.ValidateRequest(request, token);
        if (!proof.IsValid)
        {
            state.ProofFailure = proof.Failure;
            state.NonceKey = proof.Thumbprint;
            Fail(context, proof.Failure == DPoPProofFailure.InvalidNonce ? DescopeTokenFailure.DPoPNonceRequired : DescopeTokenFailure.InvalidDPoPProof);
            return;
        }

        state.Proof = proof;
        context.Token = token;
    }

    /// <summary>
    /// Before the application's handler: a bound token needs the proof of its own key, a DPoP-presented token must be bound,
    /// then the proof's <c>jti</c> is used up (only now, so a request refused for its token leaves nothing behind), and the
    /// identity learns which key was proven. Runs for remembered tokens too, on every request.
    /// </summary>
    public async ValueTask<bool> TokenValidatedAsync(TokenValidatedContext context)
    {
        var identity = context.Principal?.Identity as DescopeIdentity;
        var state = context.HttpContext.Items.TryGetValue(DPoPItem, out var value) ? value as DPoPRequest : null;
        var provenKey = state?.Proof.Thumbprint;
        var failure = dpop.CheckBinding(identity?.BoundKey, provenKey);
        if (failure != DescopeTokenFailure.None)
        {
            if (state is not null && failure == DescopeTokenFailure.InvalidDPoPProof)
            {
                state.ProofFailure = DPoPProofFailure.KeyMismatch;
            }

            Fail(context, failure);
            return false;
        }

        if (provenKey is not null && await dpop.UseAsync(state!.Proof, context.HttpContext.RequestAborted) is var use and not DPoPProofFailure.None)
        {
            state.ProofFailure = use;
            Fail(context, DescopeTokenFailure.InvalidDPoPProof);
            return false;
        }

        if (identity is not null)
        {
            identity.ProvenKey = provenKey;
        }

        return true;
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

        var state = context.HttpContext.Items.TryGetValue(DPoPItem, out var value) ? value as DPoPRequest : null;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers[HeaderNames.WWWAuthenticate] = failure is null && RequiredScopes(context.HttpContext) is { } scopes
            ? challenge.SignIn(scopes)
            : challenge.Unauthorized(failure, usedDPoP: state is not null, state?.ProofFailure ?? DPoPProofFailure.None);
        if (failure == DescopeTokenFailure.DPoPNonceRequired)
        {
            response.Headers[DPoPAuthentication.NonceHeader] = dpop.Nonces.Create(state!.NonceKey!);
        }

        return Task.CompletedTask;
    }

    public Task ForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (RequiredScopes(context.HttpContext) is { } scopes)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = BearerChallenge.ForCaller(context.HttpContext.User, challenge.InsufficientScope(scopes));
        }

        return Task.CompletedTask;
    }

    private static IReadOnlyCollection<string>? RequiredScopes(HttpContext context) =>
        context.Items.TryGetValue(RequiredScopesItem, out var value) && value is IReadOnlyCollection<string> { Count: > 0 } scopes ? scopes : null;

    private static void Fail(ResultContext<JwtBearerOptions> context, DescopeTokenFailure failure)
    {
        context.HttpContext.Items[FailureItem] = failure;
        context.Fail(new DescopeTokenRefusedException(failure));
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

    /// <summary>What a request that used the DPoP scheme proved, or why its proof was refused.</summary>
    private sealed class DPoPRequest
    {
        /// <summary>The valid proof, its <c>jti</c> not yet used up.</summary>
        public DPoPProofResult Proof;

        public DPoPProofFailure ProofFailure;

        /// <summary>The key a proof refused for want of a nonce was made with: the next nonce is for it.</summary>
        public string? NonceKey;
    }

    /// <summary>
    /// The scheme's <see cref="JwtBearerEvents"/>: the application still sets <c>OnMessageReceived</c> and
    /// <c>OnTokenValidated</c> on it, and the library's DPoP checks run around them.
    /// </summary>
    internal sealed class SchemeEvents(DescopeJwtBearerEvents events) : JwtBearerEvents
    {
        public override async Task MessageReceived(MessageReceivedContext context)
        {
            await base.MessageReceived(context);
            events.MessageReceived(context);
        }

        public override async Task TokenValidated(TokenValidatedContext context)
        {
            if (await events.TokenValidatedAsync(context))
            {
                await base.TokenValidated(context);
            }
        }
    }
}
