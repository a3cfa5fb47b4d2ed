using System.Net;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// Validating a token outside the HTTP pipeline, with the same rules as the scheme.
/// </summary>
public sealed class TokenValidatorTests(AuthorityAndServerFixture fixture) : IClassFixture<AuthorityAndServerFixture>
{
    private IDescopeTokenValidator Validator => fixture.Server.Services.GetRequiredService<IDescopeTokenValidator>();

    [Fact]
    public async Task A_valid_token_yields_the_principal_with_raw_claim_names()
    {
        var token = fixture.Authority.CreateToken(t =>
        {
            t.Subject = "U2Carol";
            t.Scopes.Add("calendar.read");
            t.Claims["roles"] = new[] { "admin" };
            t.Claims["dct"] = "T2Acme";
        });

        var result = await Validator.ValidateTokenAsync(token);

        Assert.True(result.IsValid);
        Assert.Equal(DescopeTokenFailure.None, result.Failure);
        Assert.Null(result.FailureDescription);
        Assert.Equal("U2Carol", result.Principal!.FindFirst("sub")?.Value);
        Assert.Equal("U2Carol", result.Principal.Identity?.Name);
        Assert.Equal("calendar.read", result.Principal.FindFirst("scope")?.Value);
        Assert.Equal("T2Acme", result.Principal.FindFirst("dct")?.Value);
        Assert.True(result.Principal.IsInRole("admin"));
        Assert.True(result.ExpiresAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_refused_token_yields_the_reason_and_no_principal()
    {
        var result = await Validator.ValidateTokenAsync(fixture.Authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1)));

        Assert.False(result.IsValid);
        Assert.Null(result.Principal);
        Assert.Equal(DescopeTokenFailure.Expired, result.Failure);
        Assert.Equal("The access token expired", result.FailureDescription);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300 * 1024)]
    public async Task Empty_and_oversized_tokens_are_malformed(int length)
    {
        var result = await Validator.ValidateTokenAsync(new string('a', length));

        Assert.Equal(DescopeTokenFailure.Malformed, result.Failure);
    }

    [Fact]
    public async Task An_oversized_token_over_http_is_refused_by_kestrel_before_it_reaches_the_handler()
    {
        using var response = await fixture.Server.Http.SendAsync(fixture.Server.McpRequest(new string('a', 300 * 1024)));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_token_under_raised_header_limits_gets_401_malformed()
    {
        await using var server = await ProtectedMcpServer.StartAsync(fixture.Authority, services: s =>
            s.Configure<KestrelServerOptions>(k => { k.Limits.MaxRequestHeadersTotalSize = 1024 * 1024; k.Limits.MaxRequestLineSize = 1024 * 1024; }));

        using var response = await server.Http.SendAsync(server.McpRequest(new string('a', 300 * 1024)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error_description=\"The access token is malformed\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
