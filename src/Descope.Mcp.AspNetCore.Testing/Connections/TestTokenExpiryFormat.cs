namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// How the connection vault writes <c>accessTokenExpiry</c>; Descope has been seen to use each of these.
/// </summary>
public enum TestTokenExpiryFormat
{
    /// <summary>Seconds since 1970 as a JSON number.</summary>
    EpochSeconds = 0,

    /// <summary>Milliseconds since 1970 as a JSON number.</summary>
    EpochMilliseconds,

    /// <summary>Seconds since 1970 as a JSON string of digits.</summary>
    EpochSecondsString,

    /// <summary>An RFC 3339 date-time string.</summary>
    Rfc3339,
}
