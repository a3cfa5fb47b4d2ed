namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Settings for <see cref="IDescopeTokenExchange"/>, bound from <c>Descope:TokenExchange</c>. The exchange is used
/// only when <see cref="ClientId"/> is set; then <see cref="ClientSecret"/> is required at startup. Caching, timeouts,
/// retries and the circuit breaker are those of <see cref="ConnectionTokenOptions"/>.
/// </summary>
public sealed class TokenExchangeOptions
{
    /// <summary>The client ID of the MCP server's own client in the Descope console.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret of that client. Keep it in a secret store; it is never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The token endpoint's path, relative to the project's base URL. Default: <c>/oauth2/v1/apps/token</c>.</summary>
    public string TokenEndpointPath { get; set; } = "/oauth2/v1/apps/token";

    /// <summary>
    /// How the request body is encoded. Default: <see cref="TokenExchangeBodyEncoding.Json"/>, the encoding Descope
    /// documents for this endpoint; <see cref="TokenExchangeBodyEncoding.Form"/> is the RFC's.
    /// </summary>
    public TokenExchangeBodyEncoding BodyEncoding { get; set; } = TokenExchangeBodyEncoding.Json;
}
