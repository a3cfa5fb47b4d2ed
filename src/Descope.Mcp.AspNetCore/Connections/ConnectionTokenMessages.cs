using System.Globalization;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.DescopeApi;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// The end-user texts of <see cref="ConnectionTokenException"/>. They name the app and what to do, never a token or
/// anything Descope or the third party wrote.
/// </summary>
internal static class ConnectionTokenMessages
{
    public static string NotConnected(string appId, ConnectionOwner owner, Uri? connectUrl)
    {
        var who = owner == ConnectionOwner.Tenant ? "Your organization has" : "You have";
        var what = $"{who} not connected '{Clean(appId)}' yet, or not with the permissions this tool needs.";
        return connectUrl is null
            ? what + " Connect it in your Descope account's connected apps, then try again."
            : what + $" Open {connectUrl.AbsoluteUri} to connect it, then try again.";
    }

    /// <summary>What a URL-mode elicitation asks of the user; the URL travels beside it.</summary>
    public static string ConnectPrompt(string appId) =>
        $"Connect '{Clean(appId)}' to your account so this tool can use it, then return here.";

    public static string PolicyDenied(string appId) =>
        $"Access to '{Clean(appId)}' was denied by Descope's policy for this request. Ask an administrator to grant it.";

    public static string MissingTokenFetchScope(string appId) =>
        $"Descope refused a '{Clean(appId)}' token because the caller's access token lacks the '{DescopeConnectionApi.TokenFetchScope}' scope. " +
        $"Require it for every request with Descope:RequiredScopes, or on this tool with [RequireScopes(\"{DescopeConnectionApi.TokenFetchScope}\")], " +
        "so MCP clients ask for it when they sign in.";

    public static string RateLimited(string appId, TimeSpan? retryAfter) =>
        $"Too many requests for '{Clean(appId)}' tokens: Descope is rate limiting them. Try again in {Seconds(retryAfter ?? TimeSpan.FromSeconds(1))} seconds.";

    public static string Unavailable(string appId) =>
        $"Descope could not provide a token for '{Clean(appId)}' right now (it is unreachable or failing). Try again in a moment.";

    public static string InvalidRequest(string appId, string? errorCode) =>
        $"Descope refused the request for a '{Clean(appId)}' token as invalid{(errorCode is null ? "" : $" (error {errorCode})")}. " +
        "This is a problem with the server's configuration: tell its operator.";

    public static string CallerTokenInvalid(string appId) =>
        $"Your sign-in is no longer valid (it may have expired during this call), so no '{Clean(appId)}' token was requested. Sign in again, then retry.";

    public static string MachineCaller(string appId) =>
        $"This call comes from a machine client, not a signed-in user, so it gets no user's '{Clean(appId)}' token and no connect URL. " +
        "Ask for the tenant's token, or call with a user's sign-in.";

    public static string DPoPBoundToken(string appId) =>
        $"A '{Clean(appId)}' token was not requested: the caller's access token is DPoP-bound and this server is configured not to " +
        "forward bound tokens to Descope (Descope:DPoP:BoundTokenForwarding is Refuse).";

    private static string Seconds(TimeSpan value) => Math.Max(1, (int)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    // App IDs come from the server's own code, but a message must stay one readable line whatever they hold.
    private static string Clean(string value) => DescopeMcpOptionsValidator.Sanitize(value);
}
