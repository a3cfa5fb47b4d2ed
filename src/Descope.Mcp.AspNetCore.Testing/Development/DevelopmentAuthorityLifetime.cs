using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// Says in the log that the server runs on the embedded development authority, and stops the authority with the server;
/// when a Descope project turned out to be configured in code, stops it at once, unused.
/// </summary>
internal sealed partial class DevelopmentAuthorityLifetime(
    DevelopmentAuthorityActivation activation,
    IServiceProvider services,
    IOptions<DescopeMcpOptions> options,
    ILogger<DevelopmentAuthorityLifetime> logger) : IHostedService
{
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => activation.DisposeAsync().AsTask();

    [LoggerMessage(1, LogLevel.Warning,
        "No Descope project is configured (Descope:WellKnownUrl or Descope:ProjectId) in Development: the server runs on the embedded development authority {Issuer}, " +
        "whose authorize page {AuthorizationEndpoint} signs in test users. Configure a Descope project to use Descope.")]
    private static partial void LogRunningOffline(ILogger logger, string issuer, string authorizationEndpoint);

    [LoggerMessage(2, LogLevel.Warning,
        "Descope:McpServerUrl is not configured: the development authority assumes {McpServerUrl}. Set Descope:McpServerUrl when the MCP endpoint is elsewhere.")]
    private static partial void LogMcpServerUrlDefaulted(ILogger logger, string? mcpServerUrl);

    [LoggerMessage(3, LogLevel.Debug, "A Descope project is configured in code: the development authority is not used.")]
    private static partial void LogProjectConfigured(ILogger logger);
}
