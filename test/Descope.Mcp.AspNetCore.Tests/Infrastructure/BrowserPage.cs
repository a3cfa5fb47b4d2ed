using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>An answer the browser got: the response and, when it is HTML, the parsed document.</summary>
internal sealed class BrowserPage : IDisposable
{
    private BrowserPage(HttpResponseMessage response, IHtmlDocument document, string html)
    {
        Response = response;
        Document = document;
        Html = html;
    }

    public HttpResponseMessage Response { get; }

    public IHtmlDocument Document { get; }

    public string Html { get; }

    public Uri Url => Response.RequestMessage!.RequestUri!;

    public HttpStatusCode Status => Response.StatusCode;

    public string Heading => Document.QuerySelector("h1")?.TextContent ?? string.Empty;

    /// <summary>The form's hidden fields, as the page wrote them.</summary>
    public Dictionary<string, string> HiddenFields =>
        Document.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]").ToDictionary(i => i.Name!, i => i.Value, StringComparer.Ordinal);

    public static async Task<BrowserPage> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var isHtml = response.Content.Headers.ContentType?.MediaType == "text/html";
        var html = isHtml ? await response.Content.ReadAsStringAsync(cancellationToken) : string.Empty;
        return new BrowserPage(response, new HtmlParser().ParseDocument(html), html);
    }

    public void Dispose() => Response.Dispose();
}
