using System.Diagnostics;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Diagnostics;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The one implementation of Descope token validation: the only entry of the scheme's
/// <c>JwtBearerOptions.TokenHandlers</c>, and what <see cref="IDescopeTokenValidator"/> calls. Around a
/// <see cref="JsonWebTokenHandler"/> it adds what JwtBearer alone does not do: remembered tokens, shape checks before
/// any key is loaded, loading the keys (and the 503 when that fails), and on an unknown <c>kid</c> a wait for the one
/// rate-limited reload and a second try, so the request that reveals a key rotation succeeds.
/// </summary>
internal sealed class DescopeTokenHandler : TokenHandler
{
    /// <summary>Far above any real Descope token, far below what would cost real work to parse.</summary>
    internal const int MaxTokenLength = 64 * 1024;

    private static readonly string[] RefusedHeaderParameters = ["crit", "jku", "x5u", "jwk"];

    private readonly DescopeSigningKeys _signingKeys;
    private readonly DescopeProject _project;
    private readonly ProtectedResource _resource;
    private readonly DescopeMcpOptions _options;
    private readonly ILogger<DescopeTokenHandler> _logger;
    private readonly ValidatedTokenCache _validated;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly ScopeHierarchy _scopeHierarchy;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength };

    public DescopeTokenHandler(
        DescopeSigningKeys signingKeys,
        DescopeProject project,
        ProtectedResource resource,
        IOptions<DescopeMcpOptions> options,
        ValidatedTokenCache validated,
        TimeProvider time,
        DescopeTelemetry telemetry,
        ScopeHierarchy scopeHierarchy,
        ILogger<DescopeTokenHandler> logger)
    {
        _telemetry = telemetry;
        _scopeHierarchy = scopeHierarchy;
        _signingKeys = signingKeys;
        _project = project;
        _resource = resource;
        _options = options.Value;
        _validated = validated;
        _time = time;
        _logger = logger;
        MaximumTokenSizeInBytes = MaxTokenLength;
    }

    /// <summary>
    /// The scheme's <c>TokenValidationParameters</c>: the Descope rules, and nothing JwtBearer would have to copy in
    /// vain (it clones them on every request). Signing keys and the discovery issuer are set per request.
    /// </summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidateIssuer = true,
        IssuerValidator = ValidateIssuer,
        ValidateAudience = true,
        ValidAudiences = _resource.Audiences,
        IgnoreTrailingSlashWhenValidatingAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        LifetimeValidator = ValidateLifetime,
        ClockSkew = _options.ClockSkew,
        RequireSignedTokens = true,
        ValidAlgorithms = [.. _options.AllowedSigningAlgorithms],
        TryAllIssuerSigningKeys = false,
        ValidateIssuerSigningKey = false,
        NameClaimType = DescopeClaimTypes.Subject,
        RoleClaimType = DescopeClaimTypes.Roles,
        AuthenticationType = DescopeMcpDefaults.AuthenticationScheme,
    };

    public override SecurityToken ReadToken(string token) => _handler.ReadToken(token);

    /// <summary>JwtBearer's entry: a refusal carries a <see cref="DescopeTokenRefusedException"/> with the reason.</summary>
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var result = await ValidateAsync(token, validationParameters, CancellationToken.None);
        return result.IsValid
            ? new TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = (ClaimsIdentity)result.Principal!.Identity!,
                SecurityToken = result.SecurityToken,
            }
            : new TokenValidationResult { IsValid = false, Exception = new DescopeTokenRefusedException(result.Failure) };
    }

    /// <summary>
    /// Validates <paramref name="token"/> against <paramref name="parameters"/>, which belong to this one request: the
    /// current signing keys and discovery issuer are set on them.
    /// </summary>
    public async Task<DescopeTokenValidationResult> ValidateAsync(string token, TokenValidationParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(parameters);

        if (token.Length == 0 || token.Length > MaxTokenLength)
        {
            return Refuse(DescopeTokenFailure.Malformed, activity: null);
        }

        // A remembered token needs no parsing; the cache is only consulted once keys are loaded, and never waits for them.
        var now = _time.GetUtcNow();
        var loaded = _signingKeys.TryGetLoaded(now);
        if (loaded is not null && _validated.Find(token, loaded, now) is { } remembered)
        {
            _telemetry.TokenRemembered();
            return Accepted(token, remembered.Identity, remembered.Token, remembered.BoundKey);
        }

        using var activity = DescopeTelemetry.StartTokenValidation();

        // Shape before keys: a malformed token is refused as such even while the authority is unreachable.
        var parsed = Parse(token, out var shapeFailure);
        if (parsed is null)
        {
            return Refuse(shapeFailure, activity);
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = loaded ?? await _signingKeys.GetAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AuthenticationLog.AuthorityUnavailable(_logger, _project.DiscoveryUrl, ex);
            _telemetry.TokenValidated(activity, DescopeTokenFailure.AuthorityUnavailable);
            return DescopeTokenValidationResult.Fail(DescopeTokenFailure.AuthorityUnavailable);
        }

        var result = await _handler.ValidateTokenAsync(parsed, Use(parameters, configuration));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // An unknown kid may mean the keys rotated: one (rate-limited) reload, then one more try.
            var refreshed = await TryRefreshAsync(configuration, cancellationToken);
            if (refreshed is not null && !ReferenceEquals(refreshed, configuration))
            {
                configuration = refreshed;
                result = await _handler.ValidateTokenAsync(parsed, Use(parameters, refreshed));
            }
        }

        if (result.IsValid)
        {
            if (!DescopeIdentity.TryReadBinding(result.ClaimsIdentity, out var boundKey))
            {
                return Refuse(DescopeTokenFailure.UnsupportedBinding, activity);
            }

            _validated.Remember(token, configuration, result.ClaimsIdentity, parsed, boundKey);
            _telemetry.TokenValidated(activity, DescopeTokenFailure.None);
            return Accepted(token, result.ClaimsIdentity, parsed, boundKey);
        }

        return Refuse(Classify(result.Exception), activity);
    }

    /// <summary>
    /// The request's own principal for an accepted token: a copy of the validated claims that also knows its expanded scopes,
    /// the DPoP key the token is bound to and the token it came from (for the services that act for the caller; never
    /// readable from the principal).
    /// </summary>
    private DescopeTokenValidationResult Accepted(string token, ClaimsIdentity validated, SecurityToken securityToken, string? boundKey) =>
        DescopeTokenValidationResult.Success(DescopeIdentity.PrincipalFor(validated, token, boundKey, _scopeHierarchy, _options.MachineCallers), securityToken);

    private DescopeTokenValidationResult Refuse(DescopeTokenFailure failure, Activity? activity)
    {
        AuthenticationLog.TokenRefused(_logger, failure);
        _telemetry.TokenValidated(activity, failure);
        return DescopeTokenValidationResult.Fail(failure);
    }

    private static TokenValidationParameters Use(TokenValidationParameters parameters, OpenIdConnectConfiguration configuration)
    {
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        parameters.ValidIssuer = configuration.Issuer;
        return parameters;
    }

    private async Task<OpenIdConnectConfiguration?> TryRefreshAsync(OpenIdConnectConfiguration seen, CancellationToken cancellationToken)
    {
        try
        {
            return await _signingKeys.RefreshForUnknownKeyAsync(seen, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AuthenticationLog.AuthorityUnavailable(_logger, _project.DiscoveryUrl, ex);
            return null;
        }
    }

    private JsonWebToken? Parse(string token, out DescopeTokenFailure failure)
    {
        failure = DescopeTokenFailure.Malformed;
        JsonWebToken parsed;
        try
        {
            parsed = new JsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException or FormatException or System.Text.Json.JsonException)
        {
            return null;
        }

        if (parsed.IsEncrypted)
        {
            return null;
        }

        foreach (var parameter in RefusedHeaderParameters)
        {
            if (parsed.TryGetHeaderValue<object>(parameter, out _))
            {
                failure = DescopeTokenFailure.UnsupportedHeader;
                return null;
            }
        }

        if (!_options.AllowedSigningAlgorithms.Contains(parsed.Alg, StringComparer.Ordinal))
        {
            failure = DescopeTokenFailure.UnsupportedAlgorithm;
            return null;
        }

        failure = DescopeTokenFailure.None;
        return parsed;
    }

    // The discovery issuer of the keys in use is on the per-request parameters (see Use).
    private string ValidateIssuer(string issuer, SecurityToken token, TokenValidationParameters parameters) =>
        _project.Issuers.IsTrusted(issuer, parameters.ValidIssuer)
            ? issuer
            : throw new SecurityTokenInvalidIssuerException("The token issuer is not trusted.");

    // Lifetime on the injected clock, so the remembered-token cache and lifetime checks agree (and tests can move time).
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration.");
        }

        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's validity period is empty.");
        }

        if (notBefore is { } start && start > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.");
        }

        if (exp < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        return true;
    }

    private static DescopeTokenFailure Classify(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => DescopeTokenFailure.Expired,
        SecurityTokenNotYetValidException => DescopeTokenFailure.NotYetValid,
        SecurityTokenNoExpirationException => DescopeTokenFailure.MissingExpiration,
        SecurityTokenInvalidIssuerException => DescopeTokenFailure.InvalidIssuer,
        SecurityTokenInvalidAudienceException => DescopeTokenFailure.InvalidAudience,
        SecurityTokenInvalidAlgorithmException => DescopeTokenFailure.UnsupportedAlgorithm,
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => DescopeTokenFailure.InvalidSignature,
        SecurityTokenMalformedException or ArgumentException => DescopeTokenFailure.Malformed,
        _ => DescopeTokenFailure.Invalid,
    };
}
