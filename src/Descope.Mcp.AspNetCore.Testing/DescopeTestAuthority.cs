using System.Net;
using Descope.Mcp.AspNetCore.Testing.Connections;
using Descope.Mcp.AspNetCore.Testing.Discovery;
using Descope.Mcp.AspNetCore.Testing.Hosting;
using Descope.Mcp.AspNetCore.Testing.OAuth;
using Descope.Mcp.AspNetCore.Testing.Pages;
using Descope.Mcp.AspNetCore.Testing.Relations;
using Descope.Mcp.AspNetCore.Testing.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.Authentication;

namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// A Descope-shaped authority for tests and local development: the MCP Server discovery document and the project's
/// key set at Descope's paths, key rotation, outage switches, minting of any token, valid or deliberately not, and the
/// OAuth endpoints an MCP client uses (registration, authorize, token), for users the test declares. Authorize consents at
/// once, or, with <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>, shows a page where a person picks a user
/// and approves the scopes. Runs on Kestrel (loopback) or in memory.
/// </summary>
public sealed class DescopeTestAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestSigningKeyRing _keys = new();
    private readonly DescopeTestAuthorityOptions _options;
    private readonly Lazy<HttpClient> _browser;
    private readonly Lazy<HttpClient> _returnBrowser;

    private DescopeTestAuthority(WebApplication app, DescopeTestAuthorityOptions options)
    {
        _app = app;
        _options = options;
        Requests = new TestAuthorityRequestLog();
        Connections = new TestConnectionVault(options.TimeProvider);

        // Follows no redirects, so the authorization response can be read off the Location header; carries the consent
        // page's cookie itself, the same way over a socket and in memory.
        _browser = new(() => new HttpClient(InProcess ? CreateHandler() : new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }));

        // Where a connect page sends the user back is another site (the MCP server): reached over the network.
        _returnBrowser = new(() => new HttpClient(new SocketsHttpHandler { UseCookies = false }));
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

    /// <summary>The authorization endpoint: <c>{BaseUrl}/oauth2/v1/apps/agentic/{ProjectId}/{McpServerId}/authorize</c>.</summary>
    public string AuthorizationEndpoint => Url(OAuthEndpoints.AuthorizePath);

    /// <summary>The token endpoint: <c>{BaseUrl}/oauth2/v1/apps/agentic/{ProjectId}/{McpServerId}/token</c>.</summary>
    public string TokenEndpoint => Url(OAuthEndpoints.TokenPath);

    /// <summary>Dynamic client registration: <c>{BaseUrl}/v1/mgmt/mcp/client/{ProjectId}/{McpServerId}/register</c>.</summary>
    public string RegistrationEndpoint => Url(OAuthEndpoints.RegistrationPath);

    /// <summary>
    /// The subject of the user the authorize endpoint signs in when the request has no <c>login_hint</c>; the user must be
    /// declared with <see cref="AddUser"/>. None by default, which refuses authorization.
    /// </summary>
    public string? SignedInUser { get; set; }

    /// <summary>
    /// The audience minted tokens carry by default. When it is not set and the authority was added to a server with
    /// <c>AddDescopeTestAuthority</c> or <c>AddDescopeDevelopmentAuthority</c>, tokens carry that server's
    /// <see cref="DescopeMcpOptions.McpServerUrl"/> once the server has started.
    /// </summary>
    public string? DefaultAudience
    {
        get => _options.DefaultAudience;
        set => _options.DefaultAudience = value;
    }

    /// <summary>
    /// When <see langword="false"/>, the discovery document and key set answer 503, as during an outage.
    /// </summary>
    public bool MetadataAvailable { get; set; } = true;

    /// <summary>
    /// How long the discovery document and key set take to answer, to play a slow or hanging authority. Default: none.
    /// </summary>
    public TimeSpan MetadataDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Counts of the requests the authority has answered, by endpoint.</summary>
    public TestAuthorityRequestLog Requests { get; }

    /// <summary>
    /// What the authorize and connect pages say a scope allows, by scope, for example
    /// <c>ScopeDescriptions["calendar.read"] = "See your calendar's events"</c>. Describes <c>openid</c>,
    /// <c>offline_access</c> and <c>outbound.token.fetch</c> from the start; a scope without an entry is shown by name only.
    /// </summary>
    public IDictionary<string, string> ScopeDescriptions { get; } = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal)
    {
        [OAuthScopes.OpenId] = "Confirm who you are",
        [OAuthScopes.OfflineAccess] = "Stay connected while you are away (refresh tokens)",
        [TestConnectionVault.FetchScope] = "Use the apps you connected, such as your calendar, through this server",
    };

    /// <summary>The connection vault: stored connections, policies, faults and a record of token requests.</summary>
    public TestConnectionVault Connections { get; }

    /// <summary>
    /// The FGA relations: Descope's <c>/v1/mgmt/fga/check</c> over tuples declared with <see cref="AddRelation"/>, its
    /// management key, faults and a record of its requests. Only direct tuples are modeled (no schema inheritance, no
    /// conditions).
    /// </summary>
    public TestRelations Relations { get; } = new();

    /// <summary>The token exchange (RFC 8693): its policy and a record of its requests.</summary>
    public TestTokenExchange TokenExchange { get; } = new();

    /// <summary>The ID of the key that signs new tokens.</summary>
    public string CurrentKeyId => _keys.Current.KeyId;

    /// <summary>Whether the authority runs in memory (see <see cref="DescopeTestAuthorityOptions.InProcess"/>).</summary>
    public bool InProcess => _options.InProcess;

    internal TestSigningKeyRing Keys => _keys;

    internal TimeProvider TimeProvider => _options.TimeProvider;

    internal TimeSpan AccessTokenLifetime => _options.AccessTokenLifetime;

    internal TimeSpan AuthorizationCodeLifetime => _options.AuthorizationCodeLifetime;

    internal OAuthStore OAuth { get; } = new();

    internal bool UsesInteractiveConsent => _options.InteractiveConsent;

    internal bool RequiresDPoPNonce => _options.RequireDPoPNonce;

    internal bool RequiresDPoP => _options.RequireDPoP;

    /// <summary>The <see cref="DescopeMcpOptions.McpServerUrl"/> of the server this authority was added to.</summary>
    internal string? ServerAudience { get; set; }

    internal bool HasUsers => !OAuth.Users.IsEmpty;

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

        // The consent and connect pages' forms carry anti-forgery tokens; their keys live and die with the authority.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "descope-test-antiforgery");
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
        return TestTokenWriter.Write(descriptor, _keys, Issuer, DefaultAudience ?? ServerAudience, TimeProvider);
    }

    /// <summary>
    /// Declares a user the authorize endpoint can sign in, or replaces one with the same subject.
    /// </summary>
    /// <param name="subject">The user ID (<c>sub</c>), for example <c>U2Alice</c>.</param>
    /// <param name="configure">Sets the scopes the user may be granted, roles, permissions and tenants.</param>
    /// <returns>The user.</returns>
    public TestUser AddUser(string subject, Action<TestUser>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var user = new TestUser(subject);
        configure?.Invoke(user);
        OAuth.Users[subject] = user;
        return user;
    }

    /// <summary>
    /// Declares an OAuth client, for tests that do not register one dynamically (for example to use client credentials).
    /// </summary>
    /// <param name="clientId">The client ID.</param>
    /// <param name="configure">Sets its secret, redirect URIs, grant types and the scopes it may be granted for itself.</param>
    /// <returns>The client.</returns>
    public TestClient AddClient(string clientId, Action<TestClient>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        var client = new TestClient(clientId);
        configure?.Invoke(client);
        OAuth.Clients[clientId] = client;
        return client;
    }

    /// <summary>
    /// Declares that <paramref name="target"/> has <paramref name="relation"/> on a resource, for the FGA check:
    /// <c>authority.AddRelation("U2DemoUser", "viewer", "calendar", "primary")</c>. Only this exact tuple is allowed; an
    /// <c>owner</c> is not a <c>viewer</c> unless that is declared too.
    /// </summary>
    /// <param name="target">The target, for example a user ID.</param>
    /// <param name="relation">The relation, for example <c>viewer</c>.</param>
    /// <param name="resourceType">The resource type, for example <c>calendar</c>.</param>
    /// <param name="resource">The resource ID.</param>
    /// <param name="targetType">The target's type. Default: <c>user</c>.</param>
    public void AddRelation(string target, string relation, string resourceType, string resource, string targetType = FgaOptions.DefaultUserTargetType) =>
        Relations.Add(target, relation, resourceType, resource, targetType);

    /// <summary>The clients registered so far, dynamically or with <see cref="AddClient"/>.</summary>
    public IReadOnlyCollection<TestClient> Clients => [.. OAuth.Clients.Values];

    /// <summary>
    /// Follows an authorization URL as a browser would and consents as the user named by <c>login_hint</c> or else
    /// <see cref="SignedInUser"/>: at once, or, with <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>, by answering
    /// the authorize page as that person, approving every requested scope. Returns what the client's redirect URI
    /// receives. Use it as <see cref="ClientOAuthOptions.AuthorizationCallbackHandler"/> of the MCP SDK's client.
    /// </summary>
    /// <param name="context">The authorization URL and redirect URI the client prepared.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The code, state and issuer from the redirect.</returns>
    /// <exception cref="InvalidOperationException">The authority refused the request; the message says why.</exception>
    public async Task<AuthorizationResult?> CompleteAuthorizationAsync(AuthorizationCallbackContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await _browser.Value.GetAsync(context.AuthorizationUri, cancellationToken);
        try
        {
            if (UsesInteractiveConsent && response.StatusCode == HttpStatusCode.OK)
            {
                var page = response;
                response = await AnswerConsentPageAsync(context.AuthorizationUri, page, cancellationToken);
                page.Dispose();
            }

            var query = response.Headers.Location is { } location ? QueryHelpers.ParseQuery(location.Query) : [];
            if (!query.TryGetValue("code", out var code))
            {
                var reason = query.TryGetValue("error_description", out var description) ? description.ToString() : await response.Content.ReadAsStringAsync(cancellationToken);
                throw new InvalidOperationException($"The test authority refused the authorization request ({(int)response.StatusCode}): {reason}");
            }

            return new AuthorizationResult
            {
                Code = code,
                State = query.TryGetValue("state", out var state) ? state.ToString() : null,
                Iss = query.TryGetValue("iss", out var iss) ? iss.ToString() : null,
            };
        }
        finally
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// Opens a connect URL of <see cref="Connections"/> as the user would in a browser and, when the page asks (with
    /// <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>), presses Allow. Then, like a browser, it follows the
    /// page back to the connect URL's redirect, if it has one: an MCP server that answered with a URL elicitation learns
    /// there that the user is done and tells the MCP client. For MCP clients in tests and demos that answer a URL-mode
    /// elicitation.
    /// </summary>
    /// <param name="connectUrl">The connect URL, as the MCP server handed it out.</param>
    /// <param name="cancellationToken">Cancels the visit.</param>
    /// <returns>A task that completes when the app is connected and the page the user returns to has answered.</returns>
    /// <exception cref="InvalidOperationException">The connect page, or the page it returned to, refused the visit.</exception>
    public async Task CompleteConnectAsync(Uri connectUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectUrl);
        using var page = await _browser.Value.GetAsync(connectUrl, cancellationToken);
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        var fields = PageForm.ReadHiddenFields(html);
        if (page.StatusCode == HttpStatusCode.OK && fields.Count > 0)
        {
            using var answer = new HttpRequestMessage(HttpMethod.Post, connectUrl)
            {
                Content = new FormUrlEncodedContent(fields.Append(KeyValuePair.Create(PageForm.DecisionField, PageForm.Approve))),
            };
            if (page.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies))
            {
                answer.Headers.Add(HeaderNames.Cookie, string.Join("; ", cookies.Select(c => c.Split(';', 2)[0])));
            }

            using var done = await _browser.Value.SendAsync(answer, cancellationToken);
            if ((int)done.StatusCode >= 400)
            {
                throw new InvalidOperationException($"The connect page refused the answer ({(int)done.StatusCode}).");
            }

            await ReturnAsync(done, cancellationToken);
        }
        else if ((int)page.StatusCode >= 400)
        {
            throw new InvalidOperationException($"The connect page refused the visit ({(int)page.StatusCode}).");
        }
        else
        {
            await ReturnAsync(page, cancellationToken);
        }
    }

    /// <summary>Follows the connect page's redirect, as the user's browser would, wherever it leads.</summary>
    private async Task ReturnAsync(HttpResponseMessage connectPage, CancellationToken cancellationToken)
    {
        if ((int)connectPage.StatusCode is < 300 or >= 400 || connectPage.Headers.Location is not { } location)
        {
            return;
        }

        var target = location.IsAbsoluteUri ? location : new Uri(connectPage.RequestMessage!.RequestUri!, location);
        using var landing = await _returnBrowser.Value.GetAsync(target, cancellationToken);
        if ((int)landing.StatusCode >= 400)
        {
            throw new InvalidOperationException($"The page the connect page returned to refused the visit ({(int)landing.StatusCode}).");
        }
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
        if (_browser.IsValueCreated)
        {
            _browser.Value.Dispose();
        }

        if (_returnBrowser.IsValueCreated)
        {
            _returnBrowser.Value.Dispose();
        }

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
        _app.Use(BrowserClientCors.InvokeAsync);
        DiscoveryEndpoints.Map(_app, this);
        ConnectionVaultEndpoints.Map(_app, this);
        FgaCheckEndpoint.Map(_app, this);
        OAuthEndpoints.Map(_app, this);
        _app.MapPost(TestTokenExchange.Path, (Func<HttpContext, Task<IResult>>)(context => TokenExchangeEndpoint.HandleAsync(context, this)));
    }

    /// <summary>The user consent is given as: the one <c>login_hint</c> names, else <see cref="SignedInUser"/>; or why there is none.</summary>
    internal (TestUser? User, string? Refusal) FindSignedInUser(string? loginHint)
    {
        var subject = loginHint ?? SignedInUser;
        return subject is not null && OAuth.Users.TryGetValue(subject, out var user)
            ? (user, null)
            : (null, subject is null
                ? "No user is signed in: set DescopeTestAuthority.SignedInUser or send login_hint."
                : "The user named by login_hint is not declared with DescopeTestAuthority.AddUser.");
    }

    /// <summary>Posts the authorize page's form as the signed-in user would: that user, every requested scope, approve.</summary>
    private async Task<HttpResponseMessage> AnswerConsentPageAsync(Uri authorizationUri, HttpResponseMessage page, CancellationToken cancellationToken)
    {
        var request = QueryHelpers.ParseQuery(authorizationUri.Query);
        var (user, refusal) = FindSignedInUser(request.TryGetValue("login_hint", out var hint) ? hint.ToString() : null);
        if (user is null)
        {
            throw new InvalidOperationException("The test authority cannot answer its authorize page for the client: " + refusal);
        }

        var fields = PageForm.ReadHiddenFields(await page.Content.ReadAsStringAsync(cancellationToken))
            .Select(f => KeyValuePair.Create(f.Key, f.Value))
            .Append(KeyValuePair.Create(InteractiveConsent.UserField, user.Subject))
            .Append(KeyValuePair.Create(PageForm.DecisionField, PageForm.Approve))
            .Concat(request.TryGetValue("scope", out var scope)
                ? OAuthScopes.Parse(scope.ToString()).Select(s => KeyValuePair.Create(InteractiveConsent.ScopeField, s))
                : []);
        using var answer = new HttpRequestMessage(HttpMethod.Post, authorizationUri.GetLeftPart(UriPartial.Path) + OAuthEndpoints.ConsentSuffix)
        {
            Content = new FormUrlEncodedContent(fields),
        };
        if (page.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies))
        {
            answer.Headers.Add(HeaderNames.Cookie, string.Join("; ", cookies.Select(c => c.Split(';', 2)[0])));
        }

        return await _browser.Value.SendAsync(answer, cancellationToken);
    }

    private string Url(string pathTemplate) =>
        BaseUrl.AbsoluteUri.TrimEnd('/') + pathTemplate.Replace("{projectId}", ProjectId, StringComparison.Ordinal)
            .Replace("{mcpServerId}", McpServerId, StringComparison.Ordinal);
}
