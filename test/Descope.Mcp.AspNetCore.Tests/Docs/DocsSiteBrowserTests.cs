namespace Descope.Mcp.AspNetCore.Tests.Docs;

/// <summary>
/// The documentation site renders for a reader with no network: the home page with its diagram, a guide and the API
/// reference, each with its navigation, in headless Chromium that may reach nothing but the loopback server of the
/// site. Needs the site (<c>./build/docs.sh</c>; <c>./build/test.sh</c> runs it first) and
/// <c>test/browser/install.sh</c>; fails, never skips, without them.
/// </summary>
public sealed class DocsSiteBrowserTests(DocsSite site) : IClassFixture<DocsSite>
{
    private const string SiteTitle = "Descope.Mcp.AspNetCore docs";
    private const string AddDescopeMcp = "Microsoft.Extensions.Hosting.DescopeMcpHostApplicationBuilderExtensions.AddDescopeMcp*";

    [Fact]
    public async Task The_home_page_shows_the_request_path_as_a_Mermaid_SVG_and_links_AddDescopeMcp_to_its_API_page()
    {
        var home = await site.OpenAsync("index.html");

        AssertRenderedOffline(home);
        Assert.Equal("Descope.Mcp.AspNetCore", home.H1);
        Assert.Equal($"Descope.Mcp.AspNetCore | {SiteTitle}", home.Title);
        Assert.Contains("A request's path", home.Headings);
        Assert.Equal(1, home.Mermaid.Blocks);
        Assert.Equal(1, home.Mermaid.Svgs);
        foreach (var stage in new[] { "Endpoints/", "Authentication/", "Authorization/", "Gate/", "Connections/" })
        {
            Assert.Contains(home.Mermaid.Nodes, node => node.StartsWith(stage, StringComparison.Ordinal));
        }

        Assert.Contains("Guides", home.Navbar);
        Assert.Contains("API reference", home.Navbar);
        var apiPage = new Uri(site.BaseUrl!, DocsSite.ApiHref(AddDescopeMcp));
        // Uri equality ignores the fragment, which names the method on its class's page.
        Assert.Contains(home.Links, link => link.Text == "AddDescopeMcp" && link.Href.AbsoluteUri == apiPage.AbsoluteUri);
    }

    [Fact]
    public async Task The_first_guide_shows_its_heading_sections_and_the_guides_table_of_contents()
    {
        var (name, path) = DocsSite.FirstGuide();

        var guide = await site.OpenAsync(path);

        AssertRenderedOffline(guide);
        Assert.False(string.IsNullOrEmpty(guide.H1), $"{path} shows no heading.");
        Assert.Equal($"{guide.H1} | {SiteTitle}", guide.Title);
        Assert.NotEmpty(guide.Headings);
        Assert.NotEmpty(guide.Affix);
        Assert.Contains(name, guide.Toc);
        Assert.Contains("Guides", guide.Navbar);
    }

    [Fact]
    public async Task The_API_reference_page_of_AddDescopeMcp_shows_the_method_and_both_packages_namespaces()
    {
        var api = await site.OpenAsync(DocsSite.ApiHref(AddDescopeMcp));

        AssertRenderedOffline(api);
        Assert.Equal("Class DescopeMcpHostApplicationBuilderExtensions", api.H1);
        Assert.Equal($"Class DescopeMcpHostApplicationBuilderExtensions | {SiteTitle}", api.Title);
        Assert.StartsWith("AddDescopeMcp<TBuilder>(TBuilder, Action<DescopeMcpOptions>", api.Target, StringComparison.Ordinal);
        Assert.Contains("Descope.Mcp.AspNetCore", api.Toc);
        Assert.Contains("DescopeMcpOptions", api.Toc);
        Assert.Contains("Descope.Mcp.AspNetCore.Testing", api.Toc);
        Assert.Contains("DescopeTestAuthority", api.Toc);
    }

    private static void AssertRenderedOffline(DocsPage page)
    {
        Assert.Equal(200, page.Status);
        Assert.Empty(page.BlockedRequests);
        Assert.Empty(page.FailedRequests);
        Assert.Empty(page.Errors);
    }
}
