using System.Text.Json;
using Descope.Mcp.AspNetCore.DescopeApi;

namespace Descope.Mcp.AspNetCore.Tests.DescopeApi;

public sealed class DescopeTimestampTests
{
    private static readonly DateTimeOffset Expected = new(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Theory]
    [InlineData("1935817689")]
    [InlineData("1935817689000")]
    [InlineData("\"1935817689\"")]
    [InlineData("\"1935817689000\"")]
    [InlineData("\"2031-05-06T07:08:09Z\"")]
    [InlineData("\"2031-05-06T09:08:09+02:00\"")]
    [InlineData("1935817689.0")]
    public void Expiry_is_read_from_seconds_milliseconds_and_RFC_3339(string json)
    {
        Assert.Equal(Expected, DescopeTimestamp.Read(JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("\"\"")]
    [InlineData("\"0001-01-01T00:00:00Z\"")]
    [InlineData("\"tomorrow\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("99999999999999999999")]
    public void Missing_zero_or_unreadable_expiry_means_unknown(string json)
    {
        Assert.Null(DescopeTimestamp.Read(JsonDocument.Parse(json).RootElement));
    }
}
