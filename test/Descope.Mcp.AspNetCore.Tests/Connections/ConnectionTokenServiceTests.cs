using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static Descope.Mcp.AspNetCore.Tests.Infrastructure.ConnectionTestHost;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

public sealed class ConnectionTokenServiceTests
{
    [Fact]
    public async Task Tool_gets_the_callers_connection_token_through_an_mcp_client()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectAsync();

        var result = await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } });

        Assert.Equal(connection.AccessToken, Text(result));
    }

    [Fact]
    public async Task Tool_gets_the_callers_connection_token_in_stateful_sessions_too()
    {
        await using var host = await StartAsync(transport: t => t.Stateless = false);
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{accessToken}", Assert.Single(host.Vault.Requests).Authorization);
    }

    [Fact]
    public async Task Descope_receives_the_by_scopes_request_with_project_and_caller_token_in_the_authorization_header()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope, "extra"], tenantId: "T1");
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        Text(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope }, tenantId = "T1" }));

        var request = Assert.Single(host.Vault.Requests);
        Assert.Equal("/v1/mgmt/outbound/app/user/token", request.Path);
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{accessToken}", request.Authorization);
        Assert.Equal(
            $$$"""{"appId":"{{{Calendar}}}","userId":"{{{Alice}}}","tenantId":"T1","scopes":["{{{CalendarScope}}}"],"options":{"withRefreshToken":false,"forceRefresh":false}}""",
            request.Body);
        Assert.Equal(200, request.StatusCode);
    }

    [Fact]
    public async Task Without_scopes_the_latest_endpoint_is_asked_and_no_scopes_field_is_sent()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, ["any"]);
        var client = await host.ConnectAsync();

        Assert.Equal(connection.AccessToken, Text(await CallAsync(client, "user_token", new { appId = Calendar })));

        var request = Assert.Single(host.Vault.Requests);
        Assert.Equal("/v1/mgmt/outbound/app/user/token/latest", request.Path);
        Assert.Equal(
            $$$"""{"appId":"{{{Calendar}}}","userId":"{{{Alice}}}","options":{"withRefreshToken":false,"forceRefresh":false}}""",
            request.Body);
    }

    [Theory]
    [InlineData(true, "/v1/mgmt/outbound/app/tenant/token", """{"appId":"slack","tenantId":"T1","scopes":["chat:write"],"options":{"withRefreshToken":false,"forceRefresh":false}}""")]
    [InlineData(false, "/v1/mgmt/outbound/app/tenant/token/latest", """{"appId":"slack","tenantId":"T1","options":{"withRefreshToken":false,"forceRefresh":false}}""")]
    public async Task Tenant_tokens_are_asked_for_at_the_tenant_endpoints(bool byScopes, string path, string body)
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddTenantConnection("slack", "T1", ["chat:write"]);
        var client = await host.ConnectAsync(configure: t => t.Claims["dct"] = "T1");

        var result = await CallAsync(client, "tenant_token", new { appId = "slack", tenantId = "T1", scopes = byScopes ? new[] { "chat:write" } : null });

        Assert.Equal(connection.AccessToken, Text(result));
        var request = Assert.Single(host.Vault.Requests);
        Assert.Equal(path, request.Path);
        Assert.Equal(body, request.Body);
    }

    [Fact]
    public async Task The_typed_result_carries_expiry_scopes_type_owner_and_refresh_token_but_prints_no_secret()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        var stored = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        stored.ExpiresAt = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();

        var token = await service.GetUserTokenAsync(
            new UserConnectionTokenRequest { AppId = Calendar, UserId = Alice, Scopes = [CalendarScope], WithRefreshToken = true, UseManagementKey = true });

        Assert.Equal(stored.AccessToken, token.AccessToken);
        Assert.Equal(stored.ExpiresAt, token.ExpiresAt);
        Assert.Equal([CalendarScope], token.Scopes);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal(Calendar, token.AppId);
        Assert.Equal(Alice, token.UserId);
        Assert.True(token.HasRefreshToken);
        Assert.Equal(stored.RefreshToken, token.RefreshToken);
        Assert.Equal(stored.Id, token.Id);
        Assert.Equal("user", token.GrantedBy);
        Assert.DoesNotContain(token.AccessToken, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(stored.RefreshToken, token.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"withRefreshToken\":true", Assert.Single(host.Vault.Requests).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestTokenExpiryFormat.EpochSeconds)]
    [InlineData(TestTokenExpiryFormat.EpochMilliseconds)]
    [InlineData(TestTokenExpiryFormat.EpochSecondsString)]
    [InlineData(TestTokenExpiryFormat.Rfc3339)]
    public async Task Expiry_is_read_in_every_format_Descope_uses(TestTokenExpiryFormat format)
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        connection.ExpiresAt = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        connection.ExpiryFormat = format;
        var client = await host.ConnectAsync();

        var description = Text(await CallAsync(client, "describe_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));

        Assert.Contains("ExpiresAt = 2031-05-06T07:08:09.0000000+00:00", description, StringComparison.Ordinal);
        Assert.DoesNotContain(connection.AccessToken, description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_connected_becomes_a_tool_error_that_tells_the_user_where_to_connect_the_app()
    {
        await using var host = await StartAsync(o => o.Connections.ConnectRedirectUrl = "https://app.example.com/connected");
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar, scopes = new[] { CalendarScope } }));

        var connect = host.Vault.Requests.Single(r => r.Path == "/v1/mgmt/outbound/app/connect");
        Assert.Equal(
            $$$"""{"appId":"{{{Calendar}}}","options":{"redirectUrl":"https://app.example.com/connected","scopes":["{{{CalendarScope}}}"]}}""",
            connect.Body);
        Assert.Contains($"You have not connected '{Calendar}' yet", error, StringComparison.Ordinal);
        Assert.Contains($"Open {host.Authority.BaseUrl.AbsoluteUri.TrimEnd('/')}/test/outbound/connect?app={Calendar}&user={Alice}", error, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Following_the_connect_url_connects_the_app_and_the_next_call_succeeds()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync();

        var answer = Text(await CallAsync(client, "calendar_or_connect"));
        Assert.StartsWith("connect at ", answer, StringComparison.Ordinal);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(new Uri(answer["connect at ".Length..]))).EnsureSuccessStatusCode();
        }

        Assert.StartsWith("test-at-", Text(await CallAsync(client, "calendar_or_connect")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_connected_without_a_connect_url_still_tells_the_user_to_connect_the_app()
    {
        await using var host = await StartAsync(o => o.Connections.IncludeConnectUrlInErrors = false);
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains($"You have not connected '{Calendar}' yet", error, StringComparison.Ordinal);
        Assert.Contains("Connect it in your Descope account's connected apps", error, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Vault.Requests, r => r.Path.EndsWith("/connect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_policy_denial_becomes_a_tool_error_that_names_the_policy()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.DenyUser(Alice, Calendar);
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Equal($"An error occurred invoking 'user_token': Access to '{Calendar}' was denied by Descope's policy for this request. Ask an administrator to grant it.", error);
        Assert.Equal(403, Assert.Single(host.Vault.Requests).StatusCode);
    }

    [Fact]
    public async Task A_caller_token_without_the_fetch_scope_gets_an_error_naming_the_scope_and_where_to_require_it()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        var client = await host.ConnectWithAsync(host.Authority.CreateToken(t => t.Subject = Alice));

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Equal(
            $"An error occurred invoking 'user_token': Descope refused a '{Calendar}' token because the caller's access token lacks the 'outbound.token.fetch' scope. " +
            "Require it for every request with Descope:RequiredScopes, or on this tool with [RequireScopes(\"outbound.token.fetch\")], so MCP clients ask for it when they sign in.",
            error);
        Assert.Equal(403, Assert.Single(host.Vault.Requests).StatusCode);
    }

    [Fact]
    public async Task Rate_limiting_beyond_the_total_timeout_becomes_a_tool_error_with_the_wait_at_once()
    {
        await using var host = await StartAsync();
        host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.Faults.RateLimitNext(1, TimeSpan.FromSeconds(120));
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains($"Too many requests for '{Calendar}' tokens", error, StringComparison.Ordinal);
        Assert.Contains("Try again in 120 seconds.", error, StringComparison.Ordinal);
        Assert.Single(host.Vault.Requests);
    }

    [Fact]
    public async Task Descope_being_down_becomes_a_tool_error_not_a_server_error()
    {
        await using var host = await StartAsync(o => o.Connections.MaxRetryAttempts = 1);
        host.Vault.Faults.FailNext(10, 503);
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains($"Descope could not provide a token for '{Calendar}' right now", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_Descope_refuses_as_invalid_becomes_a_tool_error_for_the_operator()
    {
        await using var host = await StartAsync();
        host.Vault.Faults.FailNext(1, 400);
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("refused the request for a 'google-calendar' token as invalid (error E130001)", error, StringComparison.Ordinal);
        Assert.Contains("tell its operator", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_from_Descope_is_not_followed_so_the_caller_token_goes_nowhere_else()
    {
        await using var host = await StartAsync();
        await using var elsewhere = await DescopeTestAuthority.StartAsync();
        host.Vault.Faults.RedirectNext(1, new Uri(elsewhere.BaseUrl, "/v1/mgmt/outbound/app/user/token/latest"));
        var client = await host.ConnectAsync();

        var error = ErrorText(await CallAsync(client, "user_token", new { appId = Calendar }));

        Assert.Contains("could not provide a token", error, StringComparison.Ordinal);
        Assert.Equal([307], host.Vault.Requests.Select(r => r.StatusCode));
        Assert.Equal(0, elsewhere.Requests.Total);
    }

    [Fact]
    public async Task Explicit_user_requests_use_the_caller_token_so_Descope_can_refuse_another_users_token()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        host.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);

        var error = ErrorText(await CallAsync(client, "user_token_for", new { appId = Calendar, userId = "U2Bob" }));

        Assert.Contains("denied by Descope's policy", error, StringComparison.Ordinal);
        var request = Assert.Single(host.Vault.Requests);
        Assert.Equal($"Bearer {host.Authority.ProjectId}:{accessToken}", request.Authorization);
    }

    [Fact]
    public async Task Background_work_uses_the_management_key_when_it_asks_for_it()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        var connection = host.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();

        var token = await service.GetUserTokenAsync(new UserConnectionTokenRequest { AppId = Calendar, UserId = "U2Bob", Scopes = [CalendarScope], UseManagementKey = true });

        Assert.Equal(connection.AccessToken, token.AccessToken);
        Assert.Equal($"Bearer {host.Authority.ProjectId}:K2test", Assert.Single(host.Vault.Requests).Authorization);
    }

    [Fact]
    public async Task An_anonymous_request_never_falls_back_to_the_management_key()
    {
        await using var authority = await DescopeTestAuthority.StartAsync();
        authority.Connections.ManagementKey = "K2test";
        authority.Connections.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        await using var server = await ProtectedMcpServer.StartAsync(
            authority,
            configure: o => o.ManagementKey = "K2test",
            services: s => s.AddSingleton<ToolProbe>(),
            map: app => app.MapMcp("/mcp").AllowAnonymous(),
            mcp: builder => builder.WithTools<ConnectionTools>());
        await using var anonymous = await server.ConnectAsync(token: null);

        var result = await CallAsync(anonymous, "user_token_for", new { appId = Calendar, userId = "U2Bob" });

        Assert.True(result.IsError);
        Assert.Empty(authority.Connections.Requests);
    }

    [Fact]
    public async Task Without_a_caller_the_management_key_is_never_used_unless_asked_for()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        host.Vault.ManagementKey = "K2test";
        host.Vault.AddUserConnection(Calendar, "U2Bob", [CalendarScope]);
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            service.GetUserTokenAsync(new UserConnectionTokenRequest { AppId = Calendar, UserId = "U2Bob", Scopes = [CalendarScope] }));

        Assert.Empty(host.Vault.Requests);
    }

    [Fact]
    public async Task Without_a_request_or_a_management_key_the_service_says_what_to_configure()
    {
        await using var host = await StartAsync();
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            service.GetTenantTokenAsync(new TenantConnectionTokenRequest { AppId = "slack", TenantId = "T1" }));
        var keyMissing = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            service.GetTenantTokenAsync(new TenantConnectionTokenRequest { AppId = "slack", TenantId = "T1", UseManagementKey = true }));
        var noCaller = await Assert.ThrowsAsync<InvalidOperationException>(() => service.GetUserTokenAsync(Calendar));

        Assert.Contains("set UseManagementKey and configure Descope:ManagementKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Descope:ManagementKey is not configured", keyMissing.Message, StringComparison.Ordinal);
        Assert.Contains("needs the current request's authenticated Descope caller", noCaller.Message, StringComparison.Ordinal);
        Assert.Empty(host.Vault.Requests);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_anything_is_sent()
    {
        await using var host = await StartAsync(o => o.ManagementKey = "K2test");
        var service = host.Server.Services.GetRequiredService<IConnectionTokenService>();

        await Assert.ThrowsAsync<ArgumentException>(() => service.GetUserTokenAsync(new UserConnectionTokenRequest { AppId = " ", UserId = Alice }));
        await Assert.ThrowsAsync<ArgumentException>(() => service.GetUserTokenAsync(new UserConnectionTokenRequest { AppId = Calendar, UserId = "U2\nBob" }));
        await Assert.ThrowsAsync<ArgumentException>(() => service.GetUserTokenAsync(new UserConnectionTokenRequest { AppId = Calendar, UserId = Alice, Scopes = ["two words"] }));
        Assert.Empty(host.Vault.Requests);
    }

    [Fact]
    public async Task Errors_never_contain_the_caller_token_or_third_party_tokens()
    {
        await using var host = await StartAsync();
        var connection = host.Vault.AddUserConnection(Calendar, Alice, [CalendarScope]);
        host.Vault.DenyApp(Calendar);
        var accessToken = host.AccessToken();
        var client = await host.ConnectWithAsync(accessToken);
        var texts = new List<string>();

        texts.Add(ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })));
        host.Vault.ClearPolicies();
        host.Vault.Faults.FailNext(1, 401);
        texts.Add(ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })));
        host.Vault.Faults.DropNext(10);
        texts.Add(ErrorText(await CallAsync(client, "user_token", new { appId = Calendar })));

        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(connection.AccessToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(host.Authority.ProjectId + ":", text, StringComparison.Ordinal);
        });
        var json = JsonSerializer.Serialize(texts);
        Assert.DoesNotContain("Bearer", json, StringComparison.Ordinal);
    }
}
