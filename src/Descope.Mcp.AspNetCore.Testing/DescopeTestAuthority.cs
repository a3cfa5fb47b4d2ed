using Descope.Mcp.AspNetCore.Testing.Connections;
using Descope.Mcp.AspNetCore.Testing.Discovery;
using Descope.Mcp.AspNetCore.Testing.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A Descope-shaped authority for tests and local development: the MCP Server discovery document and the project's
/// key set at Descope's paths, key rotation, outage switches, and minting of any token, valid or deliberately not.
/// Runs on Kestrel (loopback) or in memory.
/// </summary>
public sealed class DescopeTestAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestSigningKeyRing _keys = new();
    private readonly DescopeTestAuthorityOptions _options;

    private DescopeTestAuthority(WebApplication app, DescopeTestAuthorityOptions options)
    {
        _app = app;
        _options = options;
        Requests = new TestAuthorityRequestLog();
        Connections = new TestConnectionVault(options.TimeProvider);
    }

    /// <summary>The project ID.</summary>
    public string ProjectId => _options.ProjectId;

    /// <summary>The MCP server ID.</summary>
    public string McpServerId => _options.McpServerId;

    /// <summary>The API origin, for example <c>http://127.0.0.1:5123</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The MCP Server issuer: <c>{BaseUrl}/v1/apps/agentic/{ProjectId}/{McpServerId}</c>.</summary>
    public string Issuer => $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/apps/agentic/{ProjectId}/{McpServerId}";

    /// <summary>The MCP Server discovery URL, as the Descope console shows it.</summary>
    public string WellKnownUrl => Issuer + "/.well-known/openid-configuration";

    /// <summary>The project's key set: <c>{BaseUrl}/{ProjectId}/.well-known/jwks.json</c>.</summary>
    public string JwksUrl => $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/{ProjectId}/.well-known/jwks.json";

    /// <summary>The audience minted tokens carry by default.</summary>
    public string? DefaultAudience
    {
        get => _options.DefaultAudience;
        set => _options.DefaultAudience = value;
    }

    /// <summary>
    /// When <see langword="false"/>, the discovery document and key set answer 503, as during an outage.
    /// </summary>
    public bool MetadataAvailable { get; set; } = true;

    /// <summary>Counts of the requests the authority has answered, by endpoint.</summary>
    public TestAuthorityRequestLog Requests { get; }

    /// <summary>The connection vault: stored connections, policies, faults and a record of token requests.</summary>
    public TestConnectionVault Connections { get; }

    /// <summary>The ID of the key that signs new tokens.</summary>
    public string CurrentKeyId => _keys.Current.KeyId;

    /// <summary>Whether the authority runs in memory (see <see cref="DescopeTestAuthorityOptions.InProcess"/>).</summary>
    public bool InProcess => _options.InProcess;

    internal TestSigningKeyRing Keys => _keys;

    internal TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>Starts an authority.</summary>
    /// <param name="configure">Changes the default <see cref="DescopeTestAuthorityOptions"/>.</param>
    /// <param name="cancellationToken">Cancels startup.</param>
    /// <returns>The running authority; dispose it to stop it.</returns>
    public static async Task<DescopeTestAuthority> StartAsync(Action<DescopeTestAuthorityOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new DescopeTestAuthorityOptions();
        configure?.Invoke(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.InProcess)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseUrls(options.Url);
        }

        var app = builder.Build();
        var authority = new DescopeTestAuthority(app, options);
        authority.MapEndpoints();
        await app.StartAsync(cancellationToken);

        authority.BaseUrl = options.InProcess
            ? new Uri("https://api.descope.test")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return authority;
    }

    /// <summary>Mints a token; the defaults make a valid access token for <see cref="DefaultAudience"/>.</summary>
    /// <param name="configure">Changes any part of the token.</param>
    /// <returns>The compact JWS.</returns>
    public string CreateToken(Action<TestTokenDescriptor>? configure = null)
    {
        var descriptor = new TestTokenDescriptor();
        configure?.Invoke(descriptor);
        return TestTokenWriter.Write(descriptor, _keys, Issuer, DefaultAudience, TimeProvider);
    }

    /// <summary>Publishes a new signing key that signs every token from now on.</summary>
    /// <param name="retirePrevious">Also withdraw the earlier keys from the key set.</param>
    /// <returns>The new key's ID.</returns>
    public string RotateSigningKey(bool retirePrevious = false) => _keys.Rotate(retirePrevious);

    /// <summary>
    /// An <see cref="HttpMessageHandler"/> that reaches the in-memory authority; only with
    /// <see cref="DescopeTestAuthorityOptions.InProcess"/>.
    /// </summary>
    /// <returns>A handler for an <see cref="HttpClient"/>.</returns>
    public HttpMessageHandler CreateHandler() =>
        _options.InProcess
            ? _app.GetTestServer().CreateHandler()
            : throw new InvalidOperationException("CreateHandler is for an in-process authority; this one listens on " + BaseUrl + ".");

    /// <summary>Points <see cref="DescopeMcpOptions"/> at this authority.</summary>
    /// <param name="options">The options to change.</param>
    public void Configure(DescopeMcpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WellKnownUrl = WellKnownUrl;
        options.BaseUrl = BaseUrl.AbsoluteUri.TrimEnd('/');
        options.ProjectId = ProjectId;
        options.McpServerId = McpServerId;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _keys.Dispose();
    }

    private void MapEndpoints()
    {
        _app.Use((context, next) =>
        {
            Requests.Record(context.Request.Path);
            return next(context);
        });
        DiscoveryEndpoints.Map(_app, this);
        ConnectionVaultEndpoints.Map(_app, this);
    }
}
