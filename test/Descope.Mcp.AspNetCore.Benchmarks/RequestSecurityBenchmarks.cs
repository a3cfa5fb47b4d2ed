using BenchmarkDotNet.Attributes;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>
/// What the security layer costs one request with a remembered token, stage by stage, through the services ASP.NET Core
/// resolves for it: a request scope and context alone (the baseline every request pays), then authentication through the
/// <c>DescopeMcp</c> JwtBearer scheme as the authentication middleware runs it, then that plus the <c>DescopeMcp</c>
/// policy as the authorization middleware evaluates it. The Descope token handler's own share is
/// <see cref="TokenValidationBenchmarks"/>' remembered token.
/// </summary>
[MemoryDiagnoser]
public class RequestSecurityBenchmarks
{
    private DescopeTestAuthority _authority = null!;
    private ServiceProvider _services = null!;
    private IServiceScopeFactory _scopes = null!;
    private AuthorizationPolicy _policy = null!;
    private string _authorization = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        const string mcpUrl = "https://mcp.example.com/mcp";
        _authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = mcpUrl; });
        var services = new ServiceCollection().AddLogging();
        services.AddDescopeTestAuthority(_authority);
        services.AddDescopeMcp(o => o.McpServerUrl = mcpUrl);
        _services = services.BuildServiceProvider();
        _scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _policy = (await _services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(DescopeMcpDefaults.AuthorizationPolicy))!;
        _authorization = "Bearer " + _authority.CreateToken(t =>
        {
            t.Scopes.Add("calendar.read");
            t.Claims["azp"] = "client-1";
            t.Claims["dct"] = "T2Acme";
        });
        if (!(await AuthenticateAndAuthorize()).Succeeded)
        {
            throw new InvalidOperationException("The benchmark request must be authorized.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "request scope and context only")]
    public async Task<bool> ScopeOnly()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = NewContext(scope);
        return context.User.Identity?.IsAuthenticated == true;
    }

    [Benchmark(Description = "authentication (JwtBearer scheme)")]
    public async Task<bool> Authenticate()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = NewContext(scope);
        var result = await context.AuthenticateAsync();
        context.User = result.Principal!;
        return result.Succeeded;
    }

    [Benchmark(Description = "authentication + DescopeMcp policy")]
    public async Task<bool> AuthenticateAndAuthorizeOnce() => (await AuthenticateAndAuthorize()).Succeeded;

    private async Task<PolicyAuthorizationResult> AuthenticateAndAuthorize()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = NewContext(scope);
        var result = await context.AuthenticateAsync();
        context.User = result.Principal!;

        // What the authorization middleware does for an endpoint carrying the policy.
        var evaluator = context.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(_policy, context);
        return await evaluator.AuthorizeAsync(_policy, authenticated, context, resource: context);
    }

    private DefaultHttpContext NewContext(AsyncServiceScope scope)
    {
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/mcp";
        context.Request.Headers.Authorization = _authorization;
        return context;
    }
}
