using System.Net;
using Descope.Mcp.AspNetCore.Authentication;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Authentication;

/// <summary>
/// The token handler's log lines: a refused token leaves one line naming why (event 1), a request that finds the
/// authority unreachable one error with the cause (event 2), and neither carries the token.
/// </summary>
public sealed class AuthenticationLogTests : AuthorityAndServerFixture
{
    private static readonly string HandlerCategory = typeof(DescopeTokenHandler).FullName!;

    private readonly RecordingLoggerProvider _logs = new();

    private Task<ProtectedMcpServer> StartAsync() => ProtectedMcpServer.StartAsync(Authority, services: s =>
        s.AddLogging(logging => logging.AddProvider(_logs).AddFilter(HandlerCategory, LogLevel.Debug)));

    private LogEntry SingleHandlerEntry(int eventId) =>
        Assert.Single(_logs.Entries, e => e.Category == HandlerCategory && e.EventId.Id == eventId);

    [Fact]
    public async Task A_refused_token_is_logged_with_the_reason_and_without_the_token()
    {
        await using var server = await StartAsync();
        var token = Authority.CreateToken(t => { t.Audience = server.McpUrl; t.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-10); });

        using var response = await server.Http.SendAsync(server.McpRequest(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var entry = SingleHandlerEntry(1);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("A Descope access token was refused: Expired.", entry.Message);
        Assert.Empty(_logs.EntriesContaining(token));
    }

    [Fact]
    public async Task An_accepted_token_leaves_no_refusal_line()
    {
        await using var server = await StartAsync();

        using var response = await server.Http.SendAsync(server.McpRequest(Authority.CreateToken(t => t.Audience = server.McpUrl)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(_logs.Entries, e => e.Category == HandlerCategory && e.EventId.Id == 1);
    }

    [Fact]
    public async Task A_request_that_finds_the_authority_down_is_logged_as_an_error_with_the_cause_and_without_the_token()
    {
        Authority.MetadataAvailable = false;
        await using var server = await StartAsync();
        var token = Authority.CreateToken(t => t.Audience = server.McpUrl);

        using var response = await server.Http.SendAsync(server.McpRequest(token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var entry = SingleHandlerEntry(2);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.NotNull(entry.Exception);
        Assert.Equal(new Uri(Authority.WellKnownUrl), entry.Values["DiscoveryUrl"]);
        Assert.Empty(_logs.EntriesContaining(token));
    }
}
