using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>Log messages of the authentication stage. None carries token content.</summary>
internal static partial class AuthenticationLog
{
    [LoggerMessage(1, LogLevel.Information, "A Descope access token was refused: {Failure}.")]
    public static partial void TokenRefused(ILogger logger, DescopeTokenFailure failure);

    [LoggerMessage(2, LogLevel.Error, "The Descope discovery document or signing keys at {DiscoveryUrl} could not be loaded; requests with tokens get 503 until they can.")]
    public static partial void AuthorityUnavailable(ILogger logger, Uri discoveryUrl, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "The Descope signing keys were refreshed after a token named an unknown key.")]
    public static partial void SigningKeysRefreshed(ILogger logger);

    [LoggerMessage(5, LogLevel.Warning, "Reloading the Descope signing keys failed; the keys loaded earlier stay in use.")]
    public static partial void SigningKeysRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Redis could not say whether a DPoP proof was used before (Descope:DPoP:ReplayRedis or the app's IConnectionMultiplexer); the proof was refused, and proofs are refused until it answers.")]
    public static partial void DPoPReplayRedisFailed(ILogger logger, Exception? exception);

    [LoggerMessage(8, LogLevel.Error, "{Count} further DPoP proofs were refused in the last {IntervalSeconds} s because Redis could not say whether they were used before.")]
    public static partial void DPoPReplayRedisFailedAgain(ILogger logger, int count, int intervalSeconds);
}
