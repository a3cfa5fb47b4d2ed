using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>
/// Decides whether the server runs on the development authority once the Descope options are complete, so that a
/// project set in code (<c>AddDescopeMcp(o =&gt; ...)</c>, <c>Configure&lt;DescopeMcpOptions&gt;</c>), in whatever order,
/// counts as much as one in configuration. Only then are the authority's settings applied; otherwise the options stay
/// exactly as the server configured them. Runs after the library's own post-configuration (registered before it),
/// which derives nothing when no project is named.
/// </summary>
internal sealed class DevelopmentAuthorityActivation(DescopeTestAuthority authority, string defaultMcpServerUrl, TestUser? defaultUser) : IPostConfigureOptions<DescopeMcpOptions>, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private bool? _active;
    private int _stopped;

    public DescopeTestAuthority Authority => authority;

    /// <summary>The server URL assumed when configuration names none: the server's first URL followed by <c>/mcp</c>.</summary>
    public string DefaultServerUrl => defaultMcpServerUrl;

    /// <summary>The user declared because the server declared none, whose scopes are completed at startup; else <see langword="null"/>.</summary>
    public TestUser? DefaultUser => defaultUser;

    /// <summary>Whether the options had no MCP server URL, so the server's first URL followed by <c>/mcp</c> was assumed.</summary>
    public bool McpServerUrlDefaulted { get; private set; }

    /// <summary>Whether configuration alone already names a Descope project, so nothing needs to start.</summary>
    public static bool NamesProject(IConfiguration descope) =>
        !string.IsNullOrEmpty(descope[nameof(DescopeMcpOptions.WellKnownUrl)])
        || !string.IsNullOrEmpty(descope[nameof(DescopeMcpOptions.ProjectId)])
        || !string.IsNullOrEmpty(descope[nameof(DescopeMcpOptions.BaseUrl)]);

    /// <summary>Whether the server uses the authority; resolves the options, which decides it.</summary>
    public bool IsActive(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
        lock (_gate)
        {
            return _active ?? false;
        }
    }

    public void PostConfigure(string? name, DescopeMcpOptions options)
    {
        bool active;
        lock (_gate)
        {
            // Decided once: options rebuilt later (a configuration reload) keep the server on the same authority.
            active = _active ??= !NamesProject(options);
        }

        if (!active)
        {
            return;
        }

        authority.Configure(options);
        if (string.IsNullOrEmpty(options.McpServerUrl))
        {
            options.McpServerUrl = defaultMcpServerUrl;
            McpServerUrlDefaulted = true;
        }

        authority.ServerAudience = options.McpServerUrl;

        // The embedded project has a management key of its own, so relation checks (and background connection token
        // requests) work offline without one in configuration.
        if (string.IsNullOrEmpty(options.ManagementKey))
        {
            options.ManagementKey = authority.Relations.ManagementKey ??= DevelopmentManagementKey;
            authority.Connections.ManagementKey ??= options.ManagementKey;
        }
    }

    /// <summary>The development project's management key: one per authority, never a secret of a real project.</summary>
    private string DevelopmentManagementKey { get; } = "K2Development" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Stops the authority, once: when the server stops, when it starts without using it, or with the services.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await authority.DisposeAsync();
        }
    }

    private static bool NamesProject(DescopeMcpOptions options) =>
        !string.IsNullOrEmpty(options.WellKnownUrl) || !string.IsNullOrEmpty(options.ProjectId) || !string.IsNullOrEmpty(options.BaseUrl);
}
