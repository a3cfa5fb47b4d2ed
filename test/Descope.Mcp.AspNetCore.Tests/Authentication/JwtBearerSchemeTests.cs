using System.ComponentModel;
using System.Net;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

[McpServerToolType]
public sealed class AppTenantTools
{
    [McpServerTool(Name = "app_tenant"), Description("Returns the app_tenant claims the application added.")]
    public static string AppTenant(ClaimsPrincipal user) => string.Join(",", user.FindAll("app_tenant").Select(c => c.Value));
}

/// <summary>
/// The Descope scheme is ASP.NET Core's JwtBearer scheme: applications customise it through <see cref="JwtBearerOptions"/>
/// and <see cref="JwtBearerEvents"/>, and the library's answers survive their changes.
/// </summary>
public sealed class JwtBearerSchemeTests : McpServerTests
{
    private Task<ProtectedMcpServer> StartAsync(Action<JwtBearerOptions> bearer, Action<DescopeMcpOptions>? configure = null) =>
        StartServerAsync(
            m => m.WithTools<AppTenantTools>().WithTools<CalendarTools>(),
            configure,
            services: s => s.Configure(DescopeMcpDefaults.AuthenticationScheme, bearer));

    [Fact]
    public async Task The_scheme_is_served_by_the_JwtBearer_handler()
    {
        var server = await StartAsync(_ => { });

        var scheme = await server.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(DescopeMcpDefaults.AuthenticationScheme);

        Assert.Equal(typeof(JwtBearerHandler), scheme?.HandlerType);
    }

    [Fact]
    public async Task A_chained_OnTokenValidated_adds_a_claim_that_a_tool_sees_on_first_and_repeated_calls()
    {
        var validated = 0;
        var server = await StartAsync(o =>
        {
            var prior = o.Events.OnTokenValidated;
            o.Events.OnTokenValidated = async context =>
            {
                await prior(context);
                Interlocked.Increment(ref validated);
                if (context.Principal?.GetCurrentTenant() is { } tenant)
                {
                    ((ClaimsIdentity)context.Principal.Identity!).AddClaim(new Claim("app_tenant", "tenant:" + tenant));
                }
            };
        });
        var token = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.Claims["dct"] = "T2Acme";
        });
        await using var client = await server.ConnectAsync(token);

        var seen = new List<string>();
        for (var call = 0; call < 3; call++)
        {
            var result = await client.CallToolAsync("app_tenant");
            seen.Add(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        }

        Assert.Equal(["tenant:T2Acme", "tenant:T2Acme", "tenant:T2Acme"], seen);
        Assert.True(validated >= 3, $"OnTokenValidated ran {validated} times for 3 tool calls");
    }

    [Fact]
    public async Task Replacing_OnMessageReceived_and_OnTokenValidated_keeps_the_401_403_and_503_answers()
    {
        // Keys never loaded (the server starts while the authority is down): 503 with Retry-After.
        Authority.MetadataAvailable = false;
        var server = await StartAsync(
            o =>
            {
                o.Events.OnMessageReceived = _ => Task.CompletedTask;
                o.Events.OnTokenValidated = _ => Task.CompletedTask;
            },
            o => o.RequiredScopes.Add("mcp.access"));

        using (var unavailable = await server.Http.SendAsync(server.McpRequest(TokenFor(server, "mcp.access"))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), unavailable.Headers.RetryAfter?.Delta);
            Assert.False(unavailable.Headers.Contains("WWW-Authenticate"));
        }

        Authority.MetadataAvailable = true;
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        using (var anonymous = await server.Http.SendAsync(server.McpRequest(token: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(
                Challenges.WithDPoP($"Bearer scope=\"mcp.access\", resource_metadata=\"{MetadataUrl(server)}\"", MetadataUrl(server), "mcp.access"),
                anonymous.Headers.WwwAuthenticate.ToString());
        }

        var expiredToken = Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.Scopes.Add("mcp.access");
            t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        using (var expired = await server.Http.SendAsync(server.McpRequest(expiredToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.Equal(
                Challenges.WithDPoP(
                    $"Bearer error=\"invalid_token\", error_description=\"The access token expired\", scope=\"mcp.access\", resource_metadata=\"{MetadataUrl(server)}\"",
                    MetadataUrl(server),
                    "mcp.access"),
                expired.Headers.WwwAuthenticate.ToString());
        }

        using (var lacking = await server.Http.SendAsync(server.McpRequest(TokenFor(server, "calendar.read"))))
        {
            AssertStepUpChallenge(lacking, server, "mcp.access");
        }

        using (var toolCall = await server.Http.SendAsync(RawMcp.ToolCall(server.McpUrl, TokenFor(server, "mcp.access"), "list_events")))
        {
            AssertStepUpChallenge(toolCall, server, "mcp.access calendar.read");
        }

        var valid = TokenFor(server, "mcp.access");
        for (var call = 0; call < 2; call++)
        {
            using var served = await server.Http.SendAsync(server.McpRequest(valid));
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
    }

    [Fact]
    public async Task A_chained_OnAuthenticationFailed_sees_the_refusal_and_the_answer_stays_the_same()
    {
        var failures = new List<string>();
        var server = await StartAsync(o =>
        {
            var prior = o.Events.OnAuthenticationFailed;
            o.Events.OnAuthenticationFailed = async context =>
            {
                lock (failures)
                {
                    failures.Add(context.Exception.Message);
                }

                await prior(context);
            };
        });

        using var response = await server.Http.SendAsync(server.McpRequest(Authority.CreateToken(t =>
        {
            t.Audience = server.McpUrl;
            t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        })));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith(
            "Bearer error=\"invalid_token\", error_description=\"The access token expired\", ",
            response.Headers.WwwAuthenticate.ToString(),
            StringComparison.Ordinal);
        Assert.Equal(["The access token expired"], failures);
    }

    [Fact]
    public async Task Changed_validation_parameters_apply_to_the_scheme_and_to_IDescopeTokenValidator_alike()
    {
        var server = await StartAsync(o => o.TokenValidationParameters.ValidAudiences = [.. o.TokenValidationParameters.ValidAudiences, "urn:example:extra"]);
        var token = Authority.CreateToken(t => t.Audience = "urn:example:extra");
        var otherAudience = Authority.CreateToken(t => t.Audience = "urn:example:other");
        var validator = server.Services.GetRequiredService<IDescopeTokenValidator>();

        Assert.True((await validator.ValidateTokenAsync(token)).IsValid);
        Assert.Equal(DescopeTokenFailure.InvalidAudience, (await validator.ValidateTokenAsync(otherAudience)).Failure);
        using var response = await server.Http.SendAsync(server.McpRequest(token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
