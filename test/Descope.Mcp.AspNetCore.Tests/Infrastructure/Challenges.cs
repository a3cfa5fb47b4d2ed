namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>The <c>WWW-Authenticate</c> values a 401 carries besides its <c>Bearer</c> challenge.</summary>
internal static class Challenges
{
    /// <summary>The proof algorithms accepted by default, as <c>algs</c> lists them.</summary>
    public const string DefaultAlgs = "ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512";

    /// <summary>A <c>DPoP</c> challenge (RFC 9449 §7.1) with the parameters in the order the library writes them.</summary>
    public static string DPoP(string metadataUrl, string? scope = null, string? error = null, string? description = null, string algs = DefaultAlgs)
    {
        var value = $"DPoP algs=\"{algs}\", ";
        if (error is not null)
        {
            value += $"error=\"{error}\", ";
        }

        if (description is not null)
        {
            value += $"error_description=\"{description}\", ";
        }

        if (scope is not null)
        {
            value += $"scope=\"{scope}\", ";
        }

        return value + $"resource_metadata=\"{metadataUrl}\"";
    }

    /// <summary>The whole header of a 401 whose <c>Bearer</c> challenge is <paramref name="bearer"/>, as one string.</summary>
    public static string WithDPoP(string bearer, string metadataUrl, string? scope = null) => bearer + ", " + DPoP(metadataUrl, scope);
}
