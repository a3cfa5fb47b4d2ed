using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>
/// A page of the test authority: one self-contained document (inline style, no external assets), never cached or
/// framed, sent with a content security policy that allows no script but the page's own.
/// </summary>
internal sealed class HtmlPage : IResult
{
    private readonly string _title;
    private readonly Html _body;
    private readonly Func<string, Html>? _script;
    private readonly int _statusCode;

    /// <param name="title">The document title and the card's heading.</param>
    /// <param name="body">The card's content below the heading.</param>
    /// <param name="statusCode">The response status.</param>
    /// <param name="script">The page's own script, given the nonce that lets it run.</param>
    public HtmlPage(string title, Html body, int statusCode = StatusCodes.Status200OK, Func<string, Html>? script = null)
    {
        _title = title;
        _body = body;
        _statusCode = statusCode;
        _script = script;
    }

    /// <summary>A page that says what went wrong and what to do; nothing on it links anywhere.</summary>
    public static HtmlPage Error(string title, string message, int statusCode = StatusCodes.Status400BadRequest) =>
        new(title, Html.Of($"""<p class="lead">{message}</p>"""), statusCode);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var response = httpContext.Response;
        response.StatusCode = _statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers[HeaderNames.CacheControl] = "no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers[HeaderNames.ContentSecurityPolicy] =
            $"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; base-uri 'none'; frame-ancestors 'none'";

        var errorClass = _statusCode >= 400 ? " error" : string.Empty;
        var document = Html.Of($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{{_title}} · Descope test authority</title>
            <style>
            :root { color-scheme: light; --ink: #0b1320; --muted: #5b6474; --line: #e3e6ec; --accent: #0a62f5; --accent-ink: #ffffff; --danger: #b42318; }
            * { box-sizing: border-box; }
            body { margin: 0; min-height: 100vh; background: #f3f5f8; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 460px; margin: 0 auto; padding: 40px 16px; }
            .brand { display: flex; align-items: center; gap: 10px; margin-bottom: 18px; font-weight: 600; letter-spacing: .01em; }
            .mark { width: 28px; height: 28px; border-radius: 8px; background: var(--ink); color: #fff; display: grid; place-items: center; font-size: 15px; font-weight: 700; }
            .badge { margin-left: auto; font-size: 12px; font-weight: 500; color: var(--muted); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; background: #fff; }
            .card { background: #fff; border: 1px solid var(--line); border-radius: 16px; box-shadow: 0 1px 2px rgba(16,24,40,.04), 0 8px 24px rgba(16,24,40,.06); padding: 28px; }
            h1 { font-size: 21px; line-height: 1.3; margin: 0 0 6px; }
            .lead { margin: 0 0 20px; color: var(--muted); }
            code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
            .lead strong { color: var(--ink); }
            .lead code { color: var(--ink); background: #f3f5f8; border-radius: 6px; padding: 1px 6px; overflow-wrap: anywhere; }
            fieldset { border: 0; margin: 0 0 20px; padding: 0; }
            legend { font-weight: 600; margin-bottom: 8px; padding: 0; }
            .option { display: flex; gap: 12px; align-items: flex-start; border: 1px solid var(--line); border-radius: 12px; padding: 10px 14px; margin-bottom: 8px; cursor: pointer; }
            .option:has(input:checked) { border-color: var(--accent); background: #f2f7ff; }
            .option:has(input:focus-visible) { outline: 2px solid var(--accent); outline-offset: 2px; }
            .option input { margin: 4px 0 0; accent-color: var(--accent); width: 16px; height: 16px; flex: none; }
            .option > span { min-width: 0; }
            .option .name { font-weight: 600; display: block; overflow-wrap: anywhere; }
            .scopes { margin-bottom: 20px; }
            .option .detail { color: var(--muted); display: block; font-size: 13px; overflow-wrap: anywhere; }
            .option.scope.unavailable { cursor: not-allowed; background: #fafbfc; border-color: var(--line); border-style: dashed; }
            .scope.unavailable .name { color: var(--muted); text-decoration: line-through; }
            .scope .note { display: none; color: var(--danger); font-size: 13px; }
            .scope.unavailable .note { display: block; }
            .actions { display: flex; gap: 10px; justify-content: flex-end; margin-top: 8px; }
            button, .button { font: inherit; font-weight: 600; border-radius: 10px; padding: 9px 18px; cursor: pointer; border: 1px solid var(--line); background: #fff; color: var(--ink); text-decoration: none; display: inline-block; }
            button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
            button:focus-visible, .button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
            .fine { color: var(--muted); font-size: 13px; margin: 18px 0 0; overflow-wrap: anywhere; }
            .error h1 { color: var(--danger); }
            </style>
            </head>
            <body>
            <main>
            <div class="brand" aria-hidden="true"><span class="mark">D</span><span>Descope</span><span class="badge">Test authority</span></div>
            <div class="card{{errorClass}}">
            <h1>{{_title}}</h1>
            {{_body}}
            </div>
            </main>
            {{(_script is null ? Html.Empty : _script(nonce))}}
            </body>
            </html>
            """);
        return response.WriteAsync(document.ToString(), httpContext.RequestAborted);
    }
}
