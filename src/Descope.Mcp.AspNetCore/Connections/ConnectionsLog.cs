using Descope.Mcp.AspNetCore.DescopeApi;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>Log messages of the connection token stage. None carries a token, a key or anything Descope wrote.</summary>
internal static partial class ConnectionsLog
{
    [LoggerMessage(100, LogLevel.Debug, "Descope handed out a token for connection {AppId} ({Path}, authorized with the {Credential}).")]
    public static partial void TokenFetched(ILogger logger, string appId, string path, DescopeCredential credential);

    [LoggerMessage(101, LogLevel.Information, "Descope refused a token for connection {AppId}: {Failure} (HTTP {StatusCode}, error code {ErrorCode}).")]
    public static partial void TokenRefused(ILogger logger, string appId, ConnectionTokenFailure failure, int statusCode, string? errorCode);

    [LoggerMessage(102, LogLevel.Warning, "Descope could not be reached for a token for connection {AppId}.")]
    public static partial void DescopeUnreachable(ILogger logger, string appId, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "The connection token cache failed, so the token for connection {AppId} is fetched from Descope directly.")]
    public static partial void CacheFailed(ILogger logger, string appId, Exception exception);

    [LoggerMessage(104, LogLevel.Debug, "The cached token for connection {AppId} is within its refresh time; a new one is fetched.")]
    public static partial void CachedTokenStale(ILogger logger, string appId);

    [LoggerMessage(105, LogLevel.Information, "A token for connection {AppId} is fetched with the management key, which bypasses Descope's connection policies.")]
    public static partial void ManagementKeyUsed(ILogger logger, string appId);

    [LoggerMessage(106, LogLevel.Information, "The connect URL for connection {AppId} could not be obtained ({Failure}); the error names no URL.")]
    public static partial void ConnectUrlUnavailable(ILogger logger, string appId, ConnectionTokenFailure failure);

    [LoggerMessage(107, LogLevel.Warning, "Descope's answer for connection {AppId} (HTTP {StatusCode}) could not be read.")]
    public static partial void AnswerUnreadable(ILogger logger, string appId, int statusCode, Exception? exception);

    [LoggerMessage(108, LogLevel.Warning, "A cached entry for connection {AppId} could not be decrypted or belongs to another key (another key ring, a revoked key, or tampering); it is treated as a miss.")]
    public static partial void CachedEntryUnreadable(ILogger logger, string appId);

    [LoggerMessage(110, LogLevel.Debug, "Descope issued a token for audience {Audience} in exchange for the caller's.")]
    public static partial void TokenExchanged(ILogger logger, string audience);

    [LoggerMessage(111, LogLevel.Information, "Descope refused to exchange the caller's token for audience {Audience}: {Failure} (HTTP {StatusCode}, error {ErrorCode}).")]
    public static partial void ExchangeRefused(ILogger logger, string audience, TokenExchangeFailure failure, int statusCode, string? errorCode);

    [LoggerMessage(112, LogLevel.Warning, "Descope's token exchange answer for audience {Audience} (HTTP {StatusCode}) could not be read.")]
    public static partial void ExchangeAnswerUnreadable(ILogger logger, string audience, int statusCode, Exception exception);

    [LoggerMessage(113, LogLevel.Information, "The connect URL for connection {AppId} that returns to this server could not be obtained ({Failure}); the URL elicitation is sent without a completion.")]
    public static partial void CompletableConnectUrlUnavailable(ILogger logger, string appId, ConnectionTokenFailure failure);

    [LoggerMessage(114, LogLevel.Debug, "A URL elicitation was completed: its MCP session was sent notifications/elicitation/complete.")]
    public static partial void UrlElicitationCompleted(ILogger logger);

    [LoggerMessage(115, LogLevel.Information, "A URL elicitation was completed, but its MCP session could not be notified.")]
    public static partial void UrlElicitationNotificationFailed(ILogger logger, Exception exception);

    [LoggerMessage(116, LogLevel.Warning, "A request for {Target} was refused without asking Descope: the caller's token no longer validates ({Failure}), and nothing, not the management key either, is used in its place.")]
    public static partial void CallerTokenRefused(ILogger logger, string target, DescopeTokenFailure failure);

    [LoggerMessage(117, LogLevel.Information, "A request for a user's token or connect URL for connection {AppId} was refused without asking Descope: the caller is a machine client, not a user.")]
    public static partial void MachineCallerRefused(ILogger logger, string appId);
}
