namespace Descope.Mcp.AspNetCore;

/// <summary>How the token exchange request body is encoded.</summary>
public enum TokenExchangeBodyEncoding
{
    /// <summary>A JSON object, as Descope documents for its token endpoint. The default.</summary>
    Json,

    /// <summary><c>application/x-www-form-urlencoded</c>, as RFC 8693 and RFC 6749 specify.</summary>
    Form,
}
