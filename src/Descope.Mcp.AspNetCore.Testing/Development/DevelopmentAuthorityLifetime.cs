using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// Says in the log that the server runs on the embedded development authority, and stops the authority with the server.
/// </summary>
internal sealed partial class DevelopmentAuthorityLifetime(
    DescopeTestAuthority authority,
    IOptions<DescopeMcpOptions> options,
    ILogger<DevelopmentAuthorityLifetime> logger,
    bool mcpServerUrlDefaulted) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogRunningOffline(logger, authority.Issuer, authority.AuthorizationEndpoint);
        if (mcpServerUrlDefaulted)
        {
            LogMcpServerUrlDefaulted(logger, options.Value.McpServerUrl);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => authority.DisposeAsync().AsTask();

    [LoggerMessage(1, LogLevel.Warning,
        "No Descope project is configured (Descope:WellKnownUrl or Descope:ProjectId) in Development: the server runs on the embedded development authority {Issuer}, " +
        "whose authorize page {AuthorizationEndpoint} signs in test users. Configure a Descope project to use Descope.")]
    private static partial void LogRunningOffline(ILogger logger, string issuer, string authorizationEndpoint);

    [LoggerMessage(2, LogLevel.Warning,
        "Descope:McpServerUrl is not configured: the development authority assumes {McpServerUrl}. Set Descope:McpServerUrl when the MCP endpoint is elsewhere.")]
    private static partial void LogMcpServerUrlDefaulted(ILogger logger, string? mcpServerUrl);
}
