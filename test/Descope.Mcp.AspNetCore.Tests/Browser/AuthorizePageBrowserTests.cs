using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;

namespace Descope.Mcp.AspNetCore.Tests.Browser;

/// <summary>
/// The authorize page in a real browser: <c>test/browser/authorize.mjs</c> drives headless Chromium (Debian's package,
/// through playwright-core) as an OAuth client and the person at the browser, against an authority with
/// <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>. Needs <c>test/browser/install.sh</c> to have run; fails,
/// never skips, without it. Set <c>UPDATE_SCREENSHOTS=1</c> to refresh <c>docs/authorize-page.png</c> from the run.
/// </summary>
public sealed class AuthorizePageBrowserTests : IAsyncLifetime
{
    private const string Resource = "http://localhost:5000/mcp";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _screenshot = Path.Combine(Path.GetTempPath(), $"authorize-page-{Guid.NewGuid():N}.png");
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync()
    {
        _authority = await DescopeTestAuthority.StartAsync(o =>
        {
            o.InteractiveConsent = true;
            o.DefaultAudience = Resource;
        });
        _authority.AddUser("U2Alice", u =>
        {
            u.Claims["name"] = "Alice Example";
            u.Claims["email"] = "alice@example.com";
            u.Scopes.Add("calendar.read");
        });
        _authority.AddUser("U2Bob", u =>
        {
            u.Claims["name"] = "Bob Example";
            u.Claims["email"] = "bob@example.com";
            u.Scopes.Add("calendar.read");
            u.Scopes.Add(TestConnectionVault.FetchScope);
        });
    }

    public async Task DisposeAsync()
    {
        File.Delete(_screenshot);
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task A_person_picks_a_demo_user_in_Chromium_approves_and_the_client_gets_that_users_token_for_the_resource()
    {
        // Alice is shown first and may not have outbound.token.fetch; picking Bob must make it available again.
        var (exitCode, output) = await NodeScript.RunAsync(RepositoryRoot.Path, [
            "test/browser/authorize.mjs",
            "--well-known", _authority.WellKnownUrl,
            "--resource", Resource,
            "--user", "U2Bob",
            "--scope", $"calendar.read {TestConnectionVault.FetchScope}",
            "--expect-scope", $"calendar.read {TestConnectionVault.FetchScope}",
            "--client-name", "MCP Inspector",
            "--screenshot", _screenshot], ScriptTimeout);

        Assert.True(exitCode == 0, $"authorize.mjs exited with {exitCode}:\n{output}");
        Assert.Contains("Authorized U2Bob for " + Resource, output, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(_screenshot);
        Assert.True(png.Length > 10_000, $"The screenshot has only {png.Length} bytes.");
        Assert.Equal(PngSignature, png[..PngSignature.Length]);

        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(_screenshot, Path.Combine(RepositoryRoot.Path, "docs", "authorize-page.png"), overwrite: true);
        }
    }
}
