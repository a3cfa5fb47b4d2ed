namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>
/// A fragment of HTML that is safe to write as is. Built only from <see cref="HtmlInterpolatedStringHandler"/>, which
/// encodes every value put into it, so text from a request can never become markup.
/// </summary>
internal readonly struct Html
{
    private readonly string? _value;

    private Html(string value) => _value = value;

    public static Html Empty => default;

    /// <summary>Builds a fragment: literal parts are markup, every interpolated value is HTML-encoded unless it is an <see cref="Html"/>.</summary>
    public static Html Of(ref HtmlInterpolatedStringHandler handler) => new(handler.ToStringAndClear());

    /// <summary>
    /// Text that wraps at the places a reader expects in a long scope or URL: after each <c>/</c> and before each
    /// <c>.</c> (a <c>&lt;wbr&gt;</c> there), never in the middle of a word unless a single word is wider than the line.
    /// </summary>
    public static Html Breakable(string text)
    {
        var html = new System.Text.StringBuilder(text.Length + 16);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var breakBefore = text[i] == '.' && i > 0;
            var breakAfter = text[i] == '/' && i + 1 < text.Length && text[i + 1] != '/';
            if (breakBefore || breakAfter)
            {
                var end = breakBefore ? i : i + 1;
                html.Append(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text[start..end])).Append("<wbr>");
                start = end;
            }
        }

        html.Append(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text[start..]));
        return new Html(html.ToString());
    }

    /// <summary>Concatenates fragments.</summary>
    public static Html Join(IEnumerable<Html> fragments) => new(string.Concat(fragments.Select(f => f._value)));

    public override string ToString() => _value ?? string.Empty;
}
