namespace Descope.Mcp.AspNetCore;

/// <summary>A token Descope issued for a downstream service in exchange for the caller's token.</summary>
public sealed class ExchangedToken
{
    /// <summary>The issued token. Send it to the downstream service only; never log it.</summary>
    public required string AccessToken { get; init; }

    /// <summary>How to use the token, usually <c>Bearer</c>.</summary>
    public required string TokenType { get; init; }

    /// <summary>When the token expires, when Descope said (<c>expires_in</c>).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The scopes granted: Descope's <c>scope</c> answer, else the scopes asked for.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The type of the issued token (<c>issued_token_type</c>), for example <c>urn:ietf:params:oauth:token-type:access_token</c>.</summary>
    public string? IssuedTokenType { get; init; }

    /// <summary>The audience the token was asked for.</summary>
    public required string Audience { get; init; }

    /// <summary>Describes the token without the token itself.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"ExchangedToken {{ Audience = {Audience}, Scopes = [{string.Join(' ', Scopes)}], ExpiresAt = {ExpiresAt:O}, " +
        $"TokenType = {TokenType}, IssuedTokenType = {IssuedTokenType} }}";
}
