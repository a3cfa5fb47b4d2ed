using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Descope did not hand out a connection token. The message is written for the end user and never contains a token.
/// </summary>
/// <remarks>
/// It derives from <see cref="McpException"/> so that, when a tool lets it escape, the MCP SDK returns its message to the
/// client as a tool error (<c>isError: true</c>) instead of a generic failure.
/// </remarks>
public sealed class ConnectionTokenException : McpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">The kind of failure.</param>
    /// <param name="appId">The connection (outbound app) ID.</param>
    /// <param name="message">A message for the end user; it must not contain a token.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConnectionTokenException(ConnectionTokenFailure failure, string appId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        AppId = appId;
    }

    /// <summary>The kind of failure.</summary>
    public ConnectionTokenFailure Failure { get; }

    /// <summary>The connection (outbound app) ID.</summary>
    public string AppId { get; }

    /// <summary>The HTTP status Descope answered with, if it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Descope's error code, for example <c>E111504</c>, if it sent one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>How long to wait before trying again, for <see cref="ConnectionTokenFailure.RateLimited"/> and <see cref="ConnectionTokenFailure.Unavailable"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For <see cref="ConnectionTokenFailure.NotConnected"/>: where the user connects the app, when Descope provided it.</summary>
    public Uri? ConnectUrl { get; init; }

    /// <summary>The scopes <see cref="ConnectUrl"/> asks for, so the URL can be made again with another redirect.</summary>
    internal IReadOnlyList<string> ConnectScopes { get; init; } = [];

    /// <summary>The tenant <see cref="ConnectUrl"/> connects within, if any.</summary>
    internal string? ConnectTenantId { get; init; }
}
