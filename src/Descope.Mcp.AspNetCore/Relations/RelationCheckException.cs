using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// A relation could not be checked: it is neither allowed nor denied. The message is written for the end user and never
/// contains the management key.
/// </summary>
/// <remarks>
/// It derives from <see cref="McpException"/> so that, when a tool lets it escape, the MCP SDK returns its message to the
/// client as a tool error (<c>isError: true</c>) instead of a generic failure.
/// </remarks>
public sealed class RelationCheckException : McpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the relation could not be checked.</param>
    /// <param name="message">A message for the end user.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RelationCheckException(RelationCheckFailure failure, string message, Exception? innerException = null)
        : base(message, innerException) => Failure = failure;

    /// <summary>Why the relation could not be checked.</summary>
    public RelationCheckFailure Failure { get; }

    /// <summary>The HTTP status Descope answered with, if it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Descope's error code, if it sent one.</summary>
    public string? ErrorCode { get; init; }
}
