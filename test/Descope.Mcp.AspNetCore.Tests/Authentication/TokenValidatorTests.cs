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
    /// <summary>The largest access token accepted, in characters.</summary>
    private const int MaxTokenLength = 64 * 1024;

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

    [Fact]
    public async Task An_empty_token_is_malformed()
    {
        var result = await Validator.ValidateTokenAsync(string.Empty);

        Assert.Equal(DescopeTokenFailure.Malformed, result.Failure);
    }

    [Fact]
    public async Task A_signed_token_just_over_the_size_limit_is_malformed_and_one_just_under_it_is_accepted()
    {
        var (under, over) = TokensAroundLimit(fixture.Authority, fixture.Server.McpUrl);
        Assert.InRange(over.Length, MaxTokenLength + 1, MaxTokenLength + 2);

        Assert.Equal(DescopeTokenFailure.Malformed, (await Validator.ValidateTokenAsync(over)).Failure);
        Assert.Equal(DescopeTokenFailure.None, (await Validator.ValidateTokenAsync(under)).Failure);
    }

    [Fact]
    public async Task A_signed_token_of_exactly_the_size_limit_is_accepted()
    {
        var token = TokenOfLength(fixture.Authority, fixture.Server.McpUrl, MaxTokenLength);
        Assert.Equal(MaxTokenLength, token.Length);

        Assert.Equal(DescopeTokenFailure.None, (await Validator.ValidateTokenAsync(token)).Failure);
    }

    [Fact]
    public async Task An_oversized_token_over_http_is_refused_by_kestrel_before_it_reaches_the_handler()
    {
        using var response = await fixture.Server.Http.SendAsync(fixture.Server.McpRequest(new string('a', 300 * 1024)));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Under_raised_header_limits_a_signed_token_over_the_size_limit_gets_401_malformed_and_one_under_it_passes()
    {
        await using var server = await ProtectedMcpServer.StartAsync(fixture.Authority, services: s =>
            s.Configure<KestrelServerOptions>(k => { k.Limits.MaxRequestHeadersTotalSize = 1024 * 1024; k.Limits.MaxRequestLineSize = 1024 * 1024; }));

        var (underToken, overToken) = TokensAroundLimit(fixture.Authority, server.McpUrl);

        using var over = await server.Http.SendAsync(server.McpRequest(overToken));
        using var under = await server.Http.SendAsync(server.McpRequest(underToken));

        Assert.Equal(HttpStatusCode.Unauthorized, over.StatusCode);
        Assert.Contains("error_description=\"The access token is malformed\"", over.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, under.StatusCode);
    }

    /// <summary>
    /// A valid, trusted-signed token of exactly <paramref name="length"/> characters. Base64url never makes a segment of
    /// 4n+1 characters, so padding the payload alone misses one length in four: an unknown header parameter (ignored by
    /// validation) shifts the header until the payload can fill the rest exactly.
    /// </summary>
    private static string TokenOfLength(DescopeTestAuthority authority, string audience, int length)
    {
        for (var headerPadding = 0; headerPadding < 4; headerPadding++)
        {
            string Create(int padding) => authority.CreateToken(t =>
            {
                t.Audience = audience;
                t.Header["x-padding"] = new string('h', headerPadding);
                t.Claims["padding"] = new string('p', padding);
            });

            var payloadPadding = Math.Max(0, (length - Create(0).Length) * 3 / 4);
            while (Create(payloadPadding).Length > length)
            {
                payloadPadding--;
            }

            while (Create(payloadPadding + 1).Length <= length)
            {
                payloadPadding++;
            }

            var token = Create(payloadPadding);
            if (token.Length == length)
            {
                return token;
            }
        }

        throw new InvalidOperationException("No header padding gives a token of the length asked for.");
    }

    /// <summary>
    /// Two valid, trusted-signed tokens padded with a claim: the longest no longer than the limit, and the next one
    /// (one more padding character), which is one or two characters over it.
    /// </summary>
    private static (string Under, string Over) TokensAroundLimit(DescopeTestAuthority authority, string audience)
    {
        string Create(int padding) => authority.CreateToken(t =>
        {
            t.Audience = audience;
            t.Claims["padding"] = new string('p', padding);
        });

        // Base64url turns 3 bytes into 4 characters: estimate, then walk one padding character at a time.
        var padding = Math.Max(0, (MaxTokenLength - Create(0).Length) * 3 / 4);
        while (Create(padding).Length > MaxTokenLength)
        {
            padding--;
        }

        while (Create(padding + 1).Length <= MaxTokenLength)
        {
            padding++;
        }

        return (Create(padding), Create(padding + 1));
    }
}
