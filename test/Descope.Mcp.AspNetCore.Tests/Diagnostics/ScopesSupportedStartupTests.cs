using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// A configured <c>Descope:ScopesSupported</c> replaces the scopes the metadata would advertise; one that leaves out a
/// scope the server requires is warned about at startup, naming the scope and what requires it.
/// </summary>
public sealed class ScopesSupportedStartupTests
{
    private const int ScopesSupportedLeavesOutScopesInUse = 203;

    [Fact]
    public async Task ScopesSupported_that_leaves_out_scopes_in_use_is_warned_about_naming_them_and_what_requires_them()
    {
        var logs = await StartAsync(options =>
        {
            options.ScopesSupported.Add("calendar.read");
            options.RequiredScopes.Add("outbound.token.fetch");
        });

        var warning = Assert.Single(logs.Entries, e => e.EventId.Id == ScopesSupportedLeavesOutScopesInUse);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("outbound.token.fetch (Descope:RequiredScopes), calendar.write (tool create_event)", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("calendar.read (", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScopesSupported_that_lists_a_broader_scope_implying_those_in_use_is_not_warned_about()
    {
        var logs = await StartAsync(options =>
        {
            options.ScopesSupported.Add("calendar");
            options.ScopeHierarchy["calendar"] = ["calendar.read", "calendar.write"];
        });

        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == ScopesSupportedLeavesOutScopesInUse);
    }

    [Fact]
    public async Task Empty_ScopesSupported_advertises_the_scopes_in_use_and_is_not_warned_about()
    {
        var logs = await StartAsync(options => options.RequiredScopes.Add("outbound.token.fetch"));

        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == ScopesSupportedLeavesOutScopesInUse);
    }

    private static async Task<RecordingLoggerProvider> StartAsync(Action<DescopeMcpOptions> configure)
    {
        var logs = new RecordingLoggerProvider();
        await using var authority = await DescopeTestAuthority.StartAsync();
        await using var server = await ProtectedMcpServer.StartAsync(
            authority,
            configure,
            services: services => services.AddLogging(logging => logging.AddProvider(logs)),
            mcp: mcp => mcp.WithTools<CalendarTools>());
        return logs;
    }
}
