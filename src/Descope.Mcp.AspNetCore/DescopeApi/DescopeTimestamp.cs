using System.Globalization;
using System.Text.Json;

namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// Reads <c>accessTokenExpiry</c>, which Descope documents as a string and types as a number elsewhere: epoch seconds,
/// epoch milliseconds (as a number or a string of digits) or RFC 3339. Zero, empty and pre-1971 values mean "unknown".
/// </summary>
internal static class DescopeTimestamp
{
    // Seconds since 1970 stay below this until the year 5138; milliseconds pass it in 1973.
    private const long MillisecondsThreshold = 100_000_000_000;
    private static readonly DateTimeOffset Earliest = new(1971, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset? Read(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) => FromEpoch(number),
        JsonValueKind.Number when value.TryGetDouble(out var real) && real is > 0 and < long.MaxValue => FromEpoch((long)real),
        JsonValueKind.String => Parse(value.GetString()),
        _ => null,
    };

    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return FromEpoch(number);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed >= Earliest ? parsed : null;
    }

    private static DateTimeOffset? FromEpoch(long value)
    {
        if (value <= 0)
        {
            return null;
        }

        var result = value >= MillisecondsThreshold
            ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(value, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
            : DateTimeOffset.FromUnixTimeSeconds(value);
        return result >= Earliest ? result : null;
    }
}
