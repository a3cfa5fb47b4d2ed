using System.Text.Json;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Docs;

/// <summary>
/// The documentation site as <c>build/docs.sh</c> built it into <c>artifacts/docs</c>, served as static files from
/// loopback (its scripts are ES modules, which browsers do not load from <c>file://</c>), and opened page by page in
/// headless Chromium by <c>test/browser/docs-site.mjs</c>, which lets no request leave the machine.
/// </summary>
public sealed class DocsSite : IAsyncLifetime
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions ReportJson = new() { PropertyNameCaseInsensitive = true };

    private WebApplication? _server;

    /// <summary>The built site.</summary>
    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "artifacts", "docs");

    /// <summary>The site's root on loopback; null when there was no site to serve.</summary>
    public Uri? BaseUrl { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Folder, "index.html")))
        {
            return; // Each test fails on it, naming the command that builds the site.
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseFileServer(new FileServerOptions
        {
            FileProvider = new PhysicalFileProvider(Folder),
            StaticFileOptions = { ServeUnknownFileTypes = true },
        });
        await app.StartAsync();
        _server = app;
        BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/"); // the port the server bound
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Opens a page (a path relative to the site's root, with an optional fragment) and reports what it shows.</summary>
    internal async Task<DocsPage> OpenAsync(string path)
    {
        AssertBuilt();
        var report = Path.Combine(Path.GetTempPath(), $"docs-page-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await NodeScript.RunAsync(RepositoryRoot.Path, [
                "test/browser/docs-site.mjs",
                "--url", new Uri(BaseUrl!, path).AbsoluteUri,
                "--report", report], ScriptTimeout);

            Assert.True(exitCode == 0, $"docs-site.mjs exited with {exitCode}:\n{output}");
            return JsonSerializer.Deserialize<DocsPage>(await File.ReadAllTextAsync(report), ReportJson)
                ?? throw new InvalidOperationException($"docs-site.mjs wrote an empty report:\n{output}");
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>Where the site's cross-reference map (<c>xrefmap.yml</c>) says the API item with this uid is.</summary>
    internal static string ApiHref(string uid)
    {
        AssertBuilt();
        string? current = null;
        foreach (var line in File.ReadLines(Path.Combine(Folder, "xrefmap.yml")))
        {
            if (line.StartsWith("- uid: ", StringComparison.Ordinal))
            {
                current = line["- uid: ".Length..].Trim('"', '\'');
            }
            else if (current == uid && line.StartsWith("  href: ", StringComparison.Ordinal))
            {
                return line["  href: ".Length..].Trim('"', '\'');
            }
        }

        throw new InvalidOperationException($"The site's xrefmap.yml has no href for {uid}: the API reference lacks it.");
    }

    /// <summary>The first page the guides' table of contents lists: its name there and its path from the site's root.</summary>
    internal static (string Name, string Path) FirstGuide()
    {
        AssertBuilt();
        using var toc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "guides", "toc.json")));
        var first = FirstWithHref(toc.RootElement.GetProperty("items"))
            ?? throw new InvalidOperationException("The guides' table of contents (docs/guides/toc.yml) lists no page.");
        var path = new Uri(new Uri("http://site/guides/"), first.GetProperty("href").GetString()).AbsolutePath.TrimStart('/');
        return (first.GetProperty("name").GetString()!, path);
    }

    private static JsonElement? FirstWithHref(JsonElement items)
    {
        foreach (var item in items.EnumerateArray())
        {
            if (item.TryGetProperty("href", out _))
            {
                return item;
            }

            if (item.TryGetProperty("items", out var children) && FirstWithHref(children) is { } child)
            {
                return child;
            }
        }

        return null;
    }

    private static void AssertBuilt() =>
        Assert.True(
            File.Exists(Path.Combine(Folder, "index.html")),
            $"No documentation site at {Folder}: run ./build/docs.sh (./build/test.sh runs it before the tests).");
}

/// <summary>What <c>test/browser/docs-site.mjs</c> saw of a page (see the top of that script).</summary>
internal sealed record DocsPage(
    int Status,
    string Title,
    string H1,
    IReadOnlyList<string> Headings,
    MermaidDiagrams Mermaid,
    IReadOnlyList<string> Navbar,
    IReadOnlyList<string> Toc,
    IReadOnlyList<string> Affix,
    IReadOnlyList<PageLink> Links,
    string? Target,
    IReadOnlyList<string> BlockedRequests,
    IReadOnlyList<string> FailedRequests,
    IReadOnlyList<string> Errors);

/// <summary>The page's ```mermaid blocks, how many became an SVG, and the texts of the diagrams' nodes.</summary>
internal sealed record MermaidDiagrams(int Blocks, int Svgs, IReadOnlyList<string> Nodes);

/// <summary>A link of the article: its text and absolute URL.</summary>
internal sealed record PageLink(string Text, Uri Href);
