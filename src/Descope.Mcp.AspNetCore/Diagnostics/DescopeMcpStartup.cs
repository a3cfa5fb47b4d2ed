using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Authentication.SigningKeys;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Endpoints;
using Descope.Mcp.AspNetCore.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// Tells the truth at startup without holding it up: loads the discovery document and signing keys in the background
/// when the host starts (retrying with backoff until they load, so the first caller pays no round trip and a mistyped
/// discovery URL or an unreachable Descope is logged at once), and, once the app has started, warns when no MCP endpoint
/// is protected, when the path of <see cref="DescopeMcpOptions.McpServerUrl"/> matches no MCP endpoint, or when
/// <see cref="DescopeMcpOptions.ScopesSupported"/> leaves out a scope the server requires.
/// </summary>
internal sealed partial class DescopeMcpStartup(
    DescopeSigningKeys signingKeys,
    DescopeProject project,
    ProtectedResource resource,
    IOptions<DescopeMcpOptions> options,
    IOptions<McpServerOptions> mcpOptions,
    ScopeHierarchy scopeHierarchy,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    TimeProvider time,
    ILogger<DescopeMcpStartup> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenRegistration _started;
    private Task _loading = Task.CompletedTask;
    private bool _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loading = Task.Run(() => LoadSigningKeysAsync(_stopping.Token), CancellationToken.None);
        _started = lifetime.ApplicationStarted.Register(() =>
        {
            CheckMcpEndpoints();
            CheckScopesSupported();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop its services after (or while) it disposes them, as WebApplicationFactory does once the app's own
        // Run has returned: disposing already cancelled the load.
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        _started.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task LoadSigningKeysAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await signingKeys.GetAsync(cancellationToken);
                Log.SigningKeysLoaded(logger, project.DiscoveryUrl);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                AuthenticationLog.AuthorityUnavailable(logger, project.DiscoveryUrl, ex);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
        }
    }

    private void CheckMcpEndpoints()
    {
        if (services.GetService<EndpointDataSource>() is not { } dataSource)
        {
            return;
        }

        var mcpEndpoints = dataSource.Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => McpTransportEndpoints.Classify(endpoint) != McpTransport.None)
            .ToList();
        if (mcpEndpoints.Count > 0 && !mcpEndpoints.Any(endpoint => McpEndpointProtectionPolicy.IsProtected(endpoint, options.Value)))
        {
            Log.NoMcpEndpointProtected(logger, mcpEndpoints.Count);
        }

        var path = new Uri(resource.Resource).AbsolutePath;
        if (!mcpEndpoints.Any(endpoint => Matches(endpoint, path)))
        {
            var mapped = mcpEndpoints.Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/')).Distinct().ToList();
            Log.McpServerUrlMatchesNoEndpoint(logger, resource.Resource, mapped.Count > 0 ? string.Join(", ", mapped) : "none");
        }
    }

    /// <summary>
    /// Warns when <see cref="DescopeMcpOptions.ScopesSupported"/> is set but leaves out a scope in use (neither it nor a
    /// broader scope that implies it is listed): clients that ask for the advertised scopes never get it up front.
    /// </summary>
    private void CheckScopesSupported()
    {
        var value = options.Value;
        if (value.ScopesSupported.Count == 0)
        {
            return;
        }

        var advertised = scopeHierarchy.Expand(value.ScopesSupported);
        var missing = ScopesInUse.Of(value, mcpOptions.Value).Where(use => !advertised.Contains(use.Scope)).ToList();
        if (missing.Count > 0)
        {
            Log.ScopesSupportedLeavesOutScopesInUse(logger, string.Join(", ", missing.Select(ScopesInUse.Describe)));
        }
    }

    private static bool Matches(RouteEndpoint endpoint, string path) =>
        new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary(endpoint.RoutePattern.Defaults))
            .TryMatch(new PathString(path.Length > 1 ? path.TrimEnd('/') : path), []);

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Debug, "The Descope discovery document and signing keys at {DiscoveryUrl} were loaded at startup.")]
        public static partial void SigningKeysLoaded(ILogger logger, Uri discoveryUrl);

        [LoggerMessage(201, LogLevel.Warning,
            "None of the {Count} MCP endpoints requires a Descope token: every one allows anonymous access or ProtectMcpEndpoints is off. " +
            "Remove AllowAnonymous(), turn ProtectMcpEndpoints on, or add RequireDescopeAuthorization() to the endpoints to protect.")]
        public static partial void NoMcpEndpointProtected(ILogger logger, int count);

        [LoggerMessage(202, LogLevel.Warning,
            "Descope:McpServerUrl {McpServerUrl} matches no MCP endpoint (mapped: {McpEndpoints}). Clients that connect to it get 404, " +
            "and the resource in the metadata names no endpoint: set it to the public URL of the MapMcp endpoint (ignore this when a path " +
            "base or a proxy prefix adds the difference).")]
        public static partial void McpServerUrlMatchesNoEndpoint(ILogger logger, string mcpServerUrl, string mcpEndpoints);

        [LoggerMessage(203, LogLevel.Warning,
            "Descope:ScopesSupported leaves out scopes the server requires: {Scopes}. The metadata does not advertise them, so clients " +
            "that ask for the advertised scopes do not get them and are refused with 403 insufficient_scope until they step up. " +
            "Add them to Descope:ScopesSupported, or leave it empty to advertise every scope in use.")]
        public static partial void ScopesSupportedLeavesOutScopesInUse(ILogger logger, string scopes);
    }
}
