namespace Descope.Mcp.AspNetCore;

/// <summary>A token exchange for <see cref="IDescopeTokenExchange.ExchangeAsync(TokenExchangeRequest, CancellationToken)"/>.</summary>
public sealed class TokenExchangeRequest
{
    /// <summary>
    /// The downstream service: a logical name sent as <c>audience</c>, or an absolute URL sent as <c>resource</c> (RFC 8707).
    /// </summary>
    public required string Audience { get; init; }

    /// <summary>The scopes wanted at the downstream service; none to let Descope decide.</summary>
    public IEnumerable<string>? Scopes { get; init; }

    /// <summary>Skips the cache and asks Descope again (the new token replaces the cached one).</summary>
    public bool ForceRefresh { get; init; }
}
