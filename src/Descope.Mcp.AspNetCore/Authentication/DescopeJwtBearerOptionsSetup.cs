using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Configures the <see cref="DescopeMcpDefaults.AuthenticationScheme"/> JwtBearer scheme, in one place. It runs before
/// the application's own <c>Configure&lt;JwtBearerOptions&gt;</c>, so applications can chain the events it sets.
/// </summary>
internal sealed class DescopeJwtBearerOptionsSetup(
    DescopeTokenHandler tokenHandler,
    DescopeConfigurationManager configurationManager,
    DescopeJwtBearerEvents events) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (!string.Equals(name, DescopeMcpDefaults.AuthenticationScheme, StringComparison.Ordinal))
        {
            return;
        }

        // Claims keep their JWT names; nothing from a token goes into a header or the authentication properties.
        options.MapInboundClaims = false;
        options.IncludeErrorDetails = false;
        options.SaveToken = false;

        // The Descope token handler is the only one; it reloads keys itself when a token names an unknown key.
        options.UseSecurityTokenValidators = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(tokenHandler);
        options.RefreshOnIssuerKeyNotFound = false;
        options.ConfigurationManager = configurationManager;
        options.TokenValidationParameters = tokenHandler.CreateValidationParameters();

        // The library's events type, so DPoP runs around the application's OnMessageReceived and OnTokenValidated.
        options.Events = new DescopeJwtBearerEvents.SchemeEvents(events);
        options.Events.OnAuthenticationFailed = DescopeJwtBearerEvents.AuthenticationFailedAsync;
        options.Events.OnChallenge = events.ChallengeAsync;
        options.Events.OnForbidden = events.ForbiddenAsync;
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
}
