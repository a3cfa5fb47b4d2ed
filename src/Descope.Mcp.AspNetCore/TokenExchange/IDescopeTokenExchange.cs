using System.Diagnostics.CodeAnalysis;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Exchanges the caller's access token at Descope's token service (OAuth 2.0 Token Exchange, RFC 8693) for a token
/// for a downstream service, with the MCP server authenticating as its own Descope client. Descope's policies see the
/// user, the MCP client and the MCP server; the issued token names the MCP server in its <c>act</c> claim. Inject it
/// into MCP tools.
/// </summary>
/// <remarks>
/// Only the token that authorised the current MCP call is ever exchanged, and it goes to Descope only. Issued tokens
/// are cached under a key bound to that token, the audience and the scopes, and never handed out past their expiry.
/// Failures throw <see cref="TokenExchangeException"/>, which the MCP SDK returns to the client as a tool error.
/// </remarks>
public interface IDescopeTokenExchange
{
    /// <summary>Exchanges the current caller's token for a token for <paramref name="audience"/>.</summary>
    /// <param name="audience">
    /// The downstream service: a logical name sent as <c>audience</c>, or an absolute URL sent as <c>resource</c> (RFC 8707).
    /// </param>
    /// <param name="scopes">The scopes wanted at the downstream service; none to let Descope decide.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The issued token.</returns>
    /// <exception cref="TokenExchangeException">Descope did not issue a token.</exception>
    /// <exception cref="InvalidOperationException">
    /// There is no authenticated Descope caller, or <c>Descope:TokenExchange:ClientId</c> is not configured.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<ExchangedToken> ExchangeAsync(string audience, IEnumerable<string>? scopes = null, CancellationToken cancellationToken = default);

    /// <summary>Exchanges the current caller's token as <paramref name="request"/> describes.</summary>
    /// <param name="request">What to ask for.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The issued token.</returns>
    /// <exception cref="TokenExchangeException">Descope did not issue a token.</exception>
    /// <exception cref="InvalidOperationException">
    /// There is no authenticated Descope caller, or <c>Descope:TokenExchange:ClientId</c> is not configured.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter, so no call is ambiguous.")]
    Task<ExchangedToken> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default);
}
