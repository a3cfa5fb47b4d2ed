using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Descope did not issue a token in exchange for the caller's. The message is written for the end user and never
/// contains a token.
/// </summary>
/// <remarks>
/// It derives from <see cref="McpException"/> so that, when a tool lets it escape, the MCP SDK returns its message to the
/// client as a tool error (<c>isError: true</c>) instead of a generic failure.
/// </remarks>
public sealed class TokenExchangeException : McpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">The kind of failure.</param>
    /// <param name="audience">The audience the token was asked for.</param>
    /// <param name="message">A message for the end user; it must not contain a token.</param>
    /// <param name="innerException">The cause, if any.</param>
    public TokenExchangeException(TokenExchangeFailure failure, string audience, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Audience = audience;
    }

    /// <summary>The kind of failure.</summary>
    public TokenExchangeFailure Failure { get; }

    /// <summary>The audience the token was asked for.</summary>
    public string Audience { get; }

    /// <summary>Descope's HTTP status, when it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Descope's OAuth error code (<c>error</c>), when it sent one.</summary>
    public string? ErrorCode { get; init; }
}
