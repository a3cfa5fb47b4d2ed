using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>Builds an <see cref="Html"/> from an interpolated string, encoding every value except other fragments.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlInterpolatedStringHandler
{
    private StringBuilder? _builder;

    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 16));

    public readonly void AppendLiteral(string value) => _builder!.Append(value);

    public readonly void AppendFormatted(Html value) => _builder!.Append(value.ToString());

    public readonly void AppendFormatted(string? value) => _builder!.Append(HtmlEncoder.Default.Encode(value ?? string.Empty));

    public readonly void AppendFormatted<T>(T value) =>
        AppendFormatted(value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());

    public string ToStringAndClear()
    {
        var text = _builder!.ToString();
        _builder = null;
        return text;
    }
}
