using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A person at a browser, over real HTTP: keeps cookies, follows no redirects (the test reads them), reads pages as HTML
/// documents and submits their forms the way a browser serializes them (hidden fields, checked and enabled controls, the
/// pressed button).
/// </summary>
internal sealed class BrowserUser : IDisposable
{
    private readonly HttpClient _http;

    public BrowserUser() =>
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

    /// <summary>Opens a URL; the document is empty when the answer is not a page (a redirect, JSON).</summary>
    public async Task<BrowserPage> OpenAsync(string url, CancellationToken cancellationToken = default)
    {
        var response = await _http.GetAsync(url, cancellationToken);
        return await BrowserPage.ReadAsync(response, cancellationToken);
    }

    /// <summary>
    /// Submits the page's only form by pressing the button with the value, after <paramref name="fill"/> changed it.
    /// </summary>
    public async Task<BrowserPage> SubmitAsync(BrowserPage page, string button, Action<IHtmlFormElement>? fill = null, CancellationToken cancellationToken = default)
    {
        var form = Assert.Single(page.Document.Forms);
        fill?.Invoke(form);
        var pressed = form.QuerySelectorAll<IHtmlButtonElement>("button").Single(b => b.Value == button);
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]").Where(i => !i.IsDisabled))
        {
            if (input.Type is not ("radio" or "checkbox") || input.IsChecked)
            {
                fields.Add(KeyValuePair.Create(input.Name!, input.Value));
            }
        }

        fields.Add(KeyValuePair.Create(pressed.Name!, pressed.Value));
        var action = new Uri(page.Url, form.GetAttribute("action") ?? string.Empty);
        return await PostAsync(action, fields, cancellationToken);
    }

    /// <summary>Posts any form fields, as a crafted request from this browser would.</summary>
    public async Task<BrowserPage> PostAsync(Uri url, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken = default)
    {
        var response = await _http.PostAsync(url, new FormUrlEncodedContent(fields), cancellationToken);
        return await BrowserPage.ReadAsync(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();
}
