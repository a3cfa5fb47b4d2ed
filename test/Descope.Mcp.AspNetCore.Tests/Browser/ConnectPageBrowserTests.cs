using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Descope.Mcp.AspNetCore.Tests.Browser;

/// <summary>
/// The connect page in a real browser at a phone's width: <c>test/browser/wrapping.mjs</c> lays it out in headless
/// Chromium and reports how each scope name wraps. A Google scope URL is wider than the card, so it must wrap, and only
/// where a reader expects (after a <c>/</c>, before a <c>.</c>), never in the middle of a word. Needs
/// <c>test/browser/install.sh</c> to have run; fails, never skips, without it.
/// </summary>
public sealed class ConnectPageBrowserTests : IAsyncLifetime
{
    private const string CalendarScope = "https://www.googleapis.com/auth/calendar.readonly";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o => o.InteractiveConsent = true);
        _authority.AddUser("U2Alice", u => u.Claims["name"] = "Alice Example");
    }

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    [Fact]
    public async Task A_long_scope_wraps_only_between_its_parts_and_the_app_is_titled_by_its_name()
    {
        var url = QueryHelpers.AddQueryString(_authority.BaseUrl.AbsoluteUri + "test/outbound/connect", new Dictionary<string, string?>
        {
            ["app"] = "google-calendar", ["user"] = "U2Alice", ["scopes"] = $"{CalendarScope} openid",
        });

        var (exitCode, output) = await NodeScript.RunAsync(RepositoryRoot.Path, ["test/browser/wrapping.mjs", "--url", url, "--width", "360"], ScriptTimeout);

        Assert.True(exitCode == 0, $"wrapping.mjs exited with {exitCode}:\n{output}");
        using var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = report.RootElement;
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.Equal("Connect Google Calendar to Alice Example", root.GetProperty("heading").GetString());
        var scope = root.GetProperty("scopes").EnumerateArray().Single(s => s.GetProperty("text").GetString() == CalendarScope);
        Assert.True(scope.GetProperty("lines").GetInt32() > 1, $"The scope was expected to need more than one line at 360 px: {scope}");
        Assert.Empty(scope.GetProperty("broken").EnumerateArray());
    }
}
