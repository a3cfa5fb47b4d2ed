using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Callers;

/// <summary>
/// A machine caller (a client-credentials token) is a client, not a user: it has no user ID, it gets no user's
/// connection token and no connect URL, and Descope is never asked for a user whose ID is the client's. Tenant tokens
/// it may have, under its own token.
/// </summary>
public sealed class MachineCallerTests
{
    private const string ClientId = "app-reporting";

    [Fact]
    public async Task A_client_credentials_token_from_the_token_endpoint_is_a_machine_caller_without_a_user_id()
    {
        await using var host = await StartAsync();
        var token = await ClientCredentialsToken.RequestAsync(new Uri(host.Authority.Issuer), TestConnectionVault.FetchScope, new Uri(host.Server.McpUrl));
        var client = await host.ConnectWithAsync(token);

        var caller = Text(await CallAsync(client, "caller"));

        Assert.StartsWith("machine=True user= client=", caller, StringComparison.Ordinal);
        Assert.NotEqual("machine=True user= client=", caller);
    }

    [Theory]
    [InlineData("azp")]
    [InlineData("client_id")]
    public async Task A_token_whose_subject_is_its_client_is_a_machine_caller(string clientClaim)
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync(ClientId, t => t.Claims[clientClaim] = ClientId);

        Assert.Equal($"machine=True user= client={ClientId}", Text(await CallAsync(client, "caller")));
    }

    [Fact]
    public async Task A_token_without_a_subject_is_a_machine_caller()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectWithAsync(host.AccessToken(configure: t =>
        {
            t.Subject = null;
            t.Claims["client_id"] = ClientId;
        }));

        Assert.Equal($"machine=True user= client={ClientId}", Text(await CallAsync(client, "caller")));
    }

    [Fact]
    public async Task A_user_signed_in_through_a_client_is_a_user_not_a_machine()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync(Alice, t => t.Claims["azp"] = ClientId);

        Assert.Equal($"machine=False user={Alice} client={ClientId}", Text(await CallAsync(client, "caller")));
        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
    }

    [Fact]
    public async Task A_configured_rule_decides_who_is_a_machine_caller()
    {
        await using var host = await StartAsync(o => o.MachineCallers.Predicate = user => user.HasClaim("gty", "client-credentials"));
        var auth0Style = await host.ConnectAsync(ClientId + "@clients", t =>
        {
            t.Claims["azp"] = ClientId;
            t.Claims["gty"] = "client-credentials";
        });
        var subjectIsClient = await host.ConnectAsync(ClientId, t => t.Claims["azp"] = ClientId);

        Assert.Equal($"machine=True user= client={ClientId}", Text(await CallAsync(auth0Style, "caller")));
        Assert.Equal($"machine=False user={ClientId} client={ClientId}", Text(await CallAsync(subjectIsClient, "caller")));
    }

    [Fact]
    public async Task Tokens_of_the_configured_machine_clients_are_machine_callers()
    {
        await using var host = await StartAsync(o => o.MachineCallers.ClientIds.Add(ClientId));
        var client = await host.ConnectAsync(ClientId + "@clients", t => t.Claims["azp"] = ClientId);

        Assert.Equal($"machine=True user= client={ClientId}", Text(await CallAsync(client, "caller")));
    }

    [Fact]
    public async Task A_machine_caller_gets_a_tenant_token_under_its_own_token()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddTenantConnection("slack", "T1", ["chat:write"]);
        var token = host.AccessToken(ClientId, t =>
        {
            t.Claims["azp"] = ClientId;
            t.Claims["dct"] = "T1";
        });
        var client = await host.ConnectWithAsync(token);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "tenant_token", new { appId = "slack", tenantId = "T1" })));
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{token}", Assert.Single(host.Vault.Requests).Authorization);
    }

    [Fact]
    public async Task A_machine_caller_asking_for_its_own_user_token_is_refused_and_Descope_is_never_asked()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, ClientId, [CalendarScope]);
        var client = await host.ConnectWithAsync(MachineToken(host));

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        AssertRefusedAsMachine(host, error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_machine_caller_asking_for_a_named_users_token_is_refused_with_or_without_the_management_key(bool useManagementKey)
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        host.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        host.Vault.AddUserConnection(Calendar, ClientId, [CalendarScope]);
        var client = await host.ConnectWithAsync(MachineToken(host));

        var forBob = ErrorText(await CallAsync(client, "user_token_for", new { appId = Calendar, userId = "U2Bob", useManagementKey }));
        AssertRefusedAsMachine(host, forBob);
        var forItself = ErrorText(await CallAsync(client, "user_token_for", new { appId = Calendar, userId = ClientId, useManagementKey }));
        AssertRefusedAsMachine(host, forItself);
    }

    [Fact]
    public async Task A_machine_caller_asking_for_a_connect_url_is_refused_and_Descope_is_never_asked()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectWithAsync(MachineToken(host));

        var error = ErrorText(await CallAsync(client, "connect_url", new { appId = Calendar }));

        AssertRefusedAsMachine(host, error);
    }

    private static string MachineToken(ConnectionTestHost host) => host.AccessToken(ClientId, t => t.Claims["azp"] = ClientId);

    private static void AssertRefusedAsMachine(ConnectionTestHost host, string error)
    {
        var refused = Assert.IsType<ConnectionTokenException>(host.Probe.LastFailure);
        Assert.Equal(ConnectionTokenFailure.MachineCaller, refused.Failure);
        Assert.Contains("machine client", error, StringComparison.Ordinal);
        Assert.Empty(host.Vault.Requests);
    }
}
