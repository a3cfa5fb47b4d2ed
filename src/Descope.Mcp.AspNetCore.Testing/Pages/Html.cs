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

    /// <summary>Concatenates fragments.</summary>
    public static Html Join(IEnumerable<Html> fragments) => new(string.Concat(fragments.Select(f => f._value)));

    public override string ToString() => _value ?? string.Empty;
}
