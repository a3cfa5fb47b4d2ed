using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// Says in the log that the server runs on the embedded development authority, lets its default user be granted the
/// scopes the server requires, warns about each required scope no development user may be granted, and stops the
/// authority with the server; when a Descope project turned out to be configured in code, stops it at once, unused.
/// </summary>
internal sealed partial class DevelopmentAuthorityLifetime(
    DevelopmentAuthorityActivation activation,
    IServiceProvider services,
    IOptions<DescopeMcpOptions> options,
    IOptions<McpServerOptions> mcpOptions,
    IHostApplicationLifetime lifetime,
    ILogger<DevelopmentAuthorityLifetime> logger) : IHostedService
{
    private CancellationTokenRegistration _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var authority = activation.Authority;
        if (!activation.IsActive(services))
        {
            LogProjectConfigured(logger);
            await activation.DisposeAsync();
            return;
        }

        LogRunningOffline(logger, authority.Issuer, authority.AuthorizationEndpoint);
        if (activation.McpServerUrlDefaulted)
        {
            LogMcpServerUrlDefaulted(logger, options.Value.McpServerUrl);
        }

        if (activation.DefaultUser is { } developer)
        {
            DevelopmentUser.GrantScopesInUse(developer, options.Value, mcpOptions.Value);
        }

        _started = lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            LogTokenCommand(logger, authority.SignedInUser ?? "the user named by ?user=<subject>",
                DevelopmentTokenEndpoint.UrlOn(addresses, activation.DefaultServerUrl), DevelopmentTokenEndpoint.Lifetime.TotalHours);
        });

        var users = string.Join(", ", authority.OAuth.Users.Keys.Order(StringComparer.Ordinal));
        foreach (var use in DevelopmentUser.UngrantableScopes(authority, options.Value, mcpOptions.Value))
        {
            LogScopeNotGrantable(logger, use.Scope, string.Join(", ", use.RequiredBy), users.Length > 0 ? users : "none");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return activation.DisposeAsync().AsTask();
    }

    [LoggerMessage(1, LogLevel.Warning,
        "No Descope project is configured (Descope:WellKnownUrl or Descope:ProjectId) in Development: the server runs on the embedded development authority {Issuer}, " +
        "whose authorize page {AuthorizationEndpoint} signs in test users. Configure a Descope project to use Descope.")]
    private static partial void LogRunningOffline(ILogger logger, string issuer, string authorizationEndpoint);

    [LoggerMessage(2, LogLevel.Information,
        "Descope:McpServerUrl is not configured: the development authority assumes {McpServerUrl}, the server's first URL followed by /mcp. Set Descope:McpServerUrl when the MCP endpoint is elsewhere.")]
    private static partial void LogMcpServerUrlDefaulted(ILogger logger, string? mcpServerUrl);

    [LoggerMessage(4, LogLevel.Warning,
        "The scope {Scope}, required by {RequiredBy}, cannot be granted to any development user ({Users}): callers signed in on the " +
        "development authority are refused with 403 insufficient_scope however often they step up. Let a user have it, for example " +
        "AddDescopeDevelopmentAuthority(authority => authority.AddUser(\"U2Dana\", user => user.Scopes.Add(\"{Scope}\"))).")]
    private static partial void LogScopeNotGrantable(ILogger logger, string scope, string requiredBy, string users);

    [LoggerMessage(5, LogLevel.Information,
        "A bearer token for CLI clients (curl, MCP Inspector's --header), of {User} with every scope the user may be granted, valid {Hours} hours: " +
        "curl -s {TokenUrl} (add ?scope=a%20b for fewer scopes, ?user=<subject> for another declared user; it answers callers on this machine only).")]
    private static partial void LogTokenCommand(ILogger logger, string user, string tokenUrl, double hours);

    [LoggerMessage(3, LogLevel.Debug, "A Descope project is configured in code: the development authority is not used.")]
    private static partial void LogProjectConfigured(ILogger logger);
}
