using System.Runtime.CompilerServices;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Descope;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The one implementation of Descope token validation, used by the authentication handler and by callers of
/// <see cref="IDescopeTokenValidator"/>.
/// </summary>
internal sealed class DescopeTokenValidator : IDescopeTokenValidator
{
    /// <summary>Far above any real Descope token, far below what would cost real work to parse.</summary>
    internal const int MaxTokenLength = 64 * 1024;

    private static readonly string[] RefusedHeaderParameters = ["crit", "jku", "x5u", "jwk"];

    private readonly DescopeSigningKeys _signingKeys;
    private readonly DescopeProject _project;
    private readonly ProtectedResource _resource;
    private readonly DescopeMcpOptions _options;
    private readonly ILogger<DescopeTokenValidator> _logger;
    private readonly ValidatedTokenCache _validated;
    private readonly TimeProvider _time;
    private readonly ScopeHierarchy _scopeHierarchy;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength };

    // Validation parameters are rebuilt only when the configuration manager hands out a new configuration.
    private readonly ConditionalWeakTable<OpenIdConnectConfiguration, TokenValidationParameters> _parameters = [];

    public DescopeTokenValidator(
        DescopeSigningKeys signingKeys,
        DescopeProject project,
        ProtectedResource resource,
        IOptions<DescopeMcpOptions> options,
        ValidatedTokenCache validated,
        TimeProvider time,
        ScopeHierarchy scopeHierarchy,
        ILogger<DescopeTokenValidator> logger)
    {
        _scopeHierarchy = scopeHierarchy;
        _validated = validated;
        _time = time;
        _signingKeys = signingKeys;
        _project = project;
        _resource = resource;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<DescopeTokenValidationResult> ValidateTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);

        if (token.Length == 0 || token.Length > MaxTokenLength)
        {
            AuthenticationLog.TokenRefused(_logger, DescopeTokenFailure.Malformed);
            return DescopeTokenValidationResult.Fail(DescopeTokenFailure.Malformed);
        }

        // A remembered token needs no parsing; the cache is only consulted once keys are loaded, and never waits for them.
        var loaded = _signingKeys.TryGetLoaded();
        if (loaded is not null && _validated.Find(token, loaded) is { } remembered)
        {
            ExpandedScopes.Attach(remembered.Principal!, _scopeHierarchy);
            return remembered;
        }

        // Shape before keys: a malformed token is refused as such even while the authority is unreachable.
        var parsed = Parse(token, out var shapeFailure);
        if (parsed is null)
        {
            AuthenticationLog.TokenRefused(_logger, shapeFailure);
            return DescopeTokenValidationResult.Fail(shapeFailure);
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = loaded ?? await _signingKeys.GetAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AuthenticationLog.AuthorityUnavailable(_logger, _project.DiscoveryUrl, ex);
            return DescopeTokenValidationResult.Fail(DescopeTokenFailure.AuthorityUnavailable);
        }

        var result = await _handler.ValidateTokenAsync(parsed, ParametersFor(configuration));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // An unknown kid may mean the keys rotated: one (rate-limited) reload, then one more try.
            var refreshed = await TryRefreshAsync(configuration, cancellationToken);
            if (refreshed is not null && !ReferenceEquals(refreshed, configuration))
            {
                configuration = refreshed;
                result = await _handler.ValidateTokenAsync(parsed, ParametersFor(refreshed));
            }
        }

        if (result.IsValid)
        {
            var expiresAt = new DateTimeOffset(parsed.ValidTo, TimeSpan.Zero);
            _validated.Remember(token, configuration, result.ClaimsIdentity, expiresAt);
            var principal = new ClaimsPrincipal(result.ClaimsIdentity);
            ExpandedScopes.Attach(principal, _scopeHierarchy);
            return DescopeTokenValidationResult.Success(principal, expiresAt);
        }

        var failure = Classify(result.Exception);
        AuthenticationLog.TokenRefused(_logger, failure);
        return DescopeTokenValidationResult.Fail(failure);
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

    private TokenValidationParameters ParametersFor(OpenIdConnectConfiguration configuration) =>
        _parameters.GetValue(configuration, CreateParameters);

    private TokenValidationParameters CreateParameters(OpenIdConnectConfiguration configuration)
    {
        var discoveryIssuer = configuration.Issuer;
        return new TokenValidationParameters
        {
            ValidateIssuer = true,
            IssuerValidator = (issuer, _, _) => _project.Issuers.IsTrusted(issuer, discoveryIssuer)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException("The token issuer is not trusted."),
            ValidateAudience = true,
            ValidAudiences = _resource.Audiences,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _options.ClockSkew,
            RequireSignedTokens = true,
            ValidAlgorithms = [.. _options.AllowedSigningAlgorithms],
            IssuerSigningKeys = configuration.SigningKeys,
            TryAllIssuerSigningKeys = false,
            ValidateIssuerSigningKey = false,
            NameClaimType = DescopeClaimTypes.Subject,
            RoleClaimType = DescopeClaimTypes.Roles,
            AuthenticationType = DescopeMcpDefaults.AuthenticationScheme,
            LifetimeValidator = ValidateLifetime,
        };
    }

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

        if (notBefore is { } start && start > now + _options.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.");
        }

        if (exp < now - _options.ClockSkew)
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
