namespace Descope.Mcp.AspNetCore.Configuration;

/// <summary>
/// Which <c>iss</c> values a Descope project's tokens may carry: the discovery document's issuer, the bare project ID,
/// or <c>{origin}/v1/apps/{P}</c>, <c>{origin}/v1/apps/{P}/{tenant}</c> or <c>{origin}/v1/apps/agentic/{P}/{MS}</c> on
/// the Descope origin. Nothing looser: the value is compared as written, so other spellings of the same URL (upper case,
/// an explicit default port, empty or dot segments, escapes, a trailing slash, a query) are refused.
/// </summary>
internal sealed class DescopeIssuerRule(string projectId, Uri baseUrl)
{
    private readonly string _appsPrefix = DescopeUrls.Origin(baseUrl) + "/v1/apps/";

    public bool IsTrusted(string? issuer, string? discoveryIssuer)
    {
        if (string.IsNullOrEmpty(issuer))
        {
            return false;
        }

        if (string.Equals(issuer, discoveryIssuer, StringComparison.Ordinal) || string.Equals(issuer, projectId, StringComparison.Ordinal))
        {
            return true;
        }

        if (!issuer.StartsWith(_appsPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var segments = issuer[_appsPrefix.Length..].Split('/');
        if (!segments.All(IsPlainSegment))
        {
            return false;
        }

        return segments is [var p] && p == projectId
            || segments is [var p2, _] && p2 == projectId
            || segments is ["agentic", var p3, _] && p3 == projectId;
    }

    /// <summary>A non-empty path segment of unreserved characters (RFC 3986 §2.3) that is not <c>.</c> or <c>..</c>.</summary>
    private static bool IsPlainSegment(string segment) =>
        segment.Length > 0 && segment is not "." and not ".."
        && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');
}
