using System.ComponentModel;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Counts tool calls that have started, so concurrency tests know when every call is in flight; runs what a test wants
/// to happen between a call's authentication and its use of a service; and keeps the last exception a tool let escape.
/// </summary>
public sealed class ToolProbe
{
    private int _entered;

    public int Entered => Volatile.Read(ref _entered);

    public Action? Entering { get; set; }

    public Exception? LastFailure { get; private set; }

    public void Enter()
    {
        Interlocked.Increment(ref _entered);
        Entering?.Invoke();
    }

    /// <summary>An exception filter that keeps the exception and lets it go on.</summary>
    public bool Saw(Exception exception)
    {
        LastFailure = exception;
        return false;
    }
}

/// <summary>
/// Tools that use <see cref="IConnectionTokenService"/> the way an app's tools do. They return the third-party token
/// so tests can check which one arrived; a real tool would call the third party with it instead.
/// </summary>
[McpServerToolType]
public sealed class ConnectionTools(IConnectionTokenService connections, ToolProbe probe)
{
    [McpServerTool(Name = "user_token"), Description("Returns the caller's token for an app.")]
    public async Task<string> UserToken(string appId, string[]? scopes = null, string? tenantId = null, bool forceRefresh = false, CancellationToken cancellationToken = default)
    {
        probe.Enter();
        try
        {
            var token = await connections.GetUserTokenAsync(appId, scopes, tenantId, forceRefresh: forceRefresh, cancellationToken: cancellationToken);
            return token.AccessToken;
        }
        catch (Exception e) when (probe.Saw(e))
        {
            throw;
        }
    }

    [McpServerTool(Name = "user_token_for"), Description("Returns a named user's token for an app.")]
    public async Task<string> UserTokenFor(string appId, string userId, bool useManagementKey = false, CancellationToken cancellationToken = default)
    {
        probe.Enter();
        try
        {
            var token = await connections.GetUserTokenAsync(
                new UserConnectionTokenRequest { AppId = appId, UserId = userId, UseManagementKey = useManagementKey }, cancellationToken);
            return token.AccessToken;
        }
        catch (Exception e) when (probe.Saw(e))
        {
            throw;
        }
    }

    [McpServerTool(Name = "tenant_token"), Description("Returns a tenant's token for an app.")]
    public async Task<string> TenantToken(string appId, string tenantId, string[]? scopes = null, bool useManagementKey = false, CancellationToken cancellationToken = default)
    {
        probe.Enter();
        try
        {
            var token = await connections.GetTenantTokenAsync(
                new TenantConnectionTokenRequest { AppId = appId, TenantId = tenantId, Scopes = scopes, UseManagementKey = useManagementKey }, cancellationToken);
            return token.AccessToken;
        }
        catch (Exception e) when (probe.Saw(e))
        {
            throw;
        }
    }

    [McpServerTool(Name = "connect_url"), Description("Returns where the caller connects an app.")]
    public async Task<string> ConnectUrl(string appId, CancellationToken cancellationToken = default)
    {
        probe.Enter();
        try
        {
            return (await connections.GetConnectUrlAsync(appId, cancellationToken: cancellationToken)).AbsoluteUri;
        }
        catch (Exception e) when (probe.Saw(e))
        {
            throw;
        }
    }

    [McpServerTool(Name = "exchange"), Description("Returns a token for a downstream service in exchange for the caller's.")]
    public static async Task<string> Exchange(IDescopeTokenExchange exchange, ToolProbe probe, string audience, string[]? scopes = null, CancellationToken cancellationToken = default)
    {
        probe.Enter();
        try
        {
            var token = await exchange.ExchangeAsync(audience, scopes, cancellationToken);
            return token.AccessToken;
        }
        catch (Exception e) when (probe.Saw(e))
        {
            throw;
        }
    }

    [McpServerTool(Name = "caller"), Description("Describes the caller as the request's principal tells it.")]
    public static string Caller(IHttpContextAccessor http)
    {
        var user = http.HttpContext!.User;
        return $"machine={user.IsMachineCaller()} user={user.GetUserId()} client={user.GetClientId()}";
    }

    // Takes the service as a method parameter, the other way tools receive services.
    [McpServerTool(Name = "describe_token"), Description("Describes the caller's token for an app, without the token.")]
    public static async Task<string> DescribeToken(IConnectionTokenService tokens, string appId, string[]? scopes = null, CancellationToken cancellationToken = default)
    {
        var token = await tokens.GetUserTokenAsync(appId, scopes, cancellationToken: cancellationToken);
        return token.ToString();
    }

    [McpServerTool(Name = "calendar_or_connect"), Description("Returns the token, or tells how to connect the app.")]
    public async Task<string> CalendarOrConnect(CancellationToken cancellationToken = default)
    {
        try
        {
            return (await connections.GetUserTokenAsync("google-calendar", cancellationToken: cancellationToken)).AccessToken;
        }
        catch (ConnectionTokenException e) when (e.Failure == ConnectionTokenFailure.NotConnected)
        {
            return "connect at " + (await connections.GetConnectUrlAsync("google-calendar", cancellationToken: cancellationToken)).AbsoluteUri;
        }
    }
}
