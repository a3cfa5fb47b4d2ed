namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// Everything about a token the test authority mints. Defaults describe a valid Descope access token; change any part
/// to make a deliberately bad one.
/// </summary>
public sealed class TestTokenDescriptor
{
    /// <summary><c>sub</c>. Default: <c>U2TestUser</c>.</summary>
    public string? Subject { get; set; } = "U2TestUser";

    /// <summary><c>iss</c>. Default: the authority's MCP server issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary><c>aud</c> as a string. Default: the authority's <see cref="DescopeTestAuthority.DefaultAudience"/>, else the McpServerUrl of the server it was added to.</summary>
    public string? Audience { get; set; }

    /// <summary><c>aud</c> as an array; wins over <see cref="Audience"/> when set.</summary>
    public IList<string>? Audiences { get; set; }

    /// <summary>Granted scopes, written space-separated as <c>scope</c>. Empty writes no <c>scope</c> claim.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary><c>iat</c> and default <c>nbf</c>. Default: the authority's clock now.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary><c>nbf</c>. Default: <see cref="IssuedAt"/>.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary><c>exp</c>. Default: one hour after <see cref="IssuedAt"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Omit <c>exp</c> altogether.</summary>
    public bool OmitExpiration { get; set; }

    /// <summary>
    /// Binds the token to a DPoP key: written as <c>cnf.jkt</c> (RFC 9449 §6.1), for example
    /// <see cref="TestDPoPKey.Thumbprint"/>. Default: <see langword="null"/>, an unbound token.
    /// </summary>
    public string? DPoPThumbprint { get; set; }

    /// <summary>Further claims, written as JSON (strings, numbers, booleans, arrays, dictionaries).</summary>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Further JOSE header parameters, such as <c>jku</c> or <c>crit</c>.</summary>
    public IDictionary<string, object?> Header { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The <c>alg</c> header for <see cref="TestSigningMode.Trusted"/> tokens: RS256, RS384 or RS512. Default: RS256.</summary>
    public string Algorithm { get; set; } = "RS256";

    /// <summary>The <c>kid</c> header. Default: the ID of the key that signs.</summary>
    public string? KeyId { get; set; }

    /// <summary>How the token is signed. Default: <see cref="TestSigningMode.Trusted"/>.</summary>
    public TestSigningMode Signing { get; set; }
}
