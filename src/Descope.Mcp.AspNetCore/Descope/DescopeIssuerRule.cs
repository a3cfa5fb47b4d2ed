namespace Descope.Mcp.AspNetCore.Descope;

/// <summary>
/// Which <c>iss</c> values a Descope project's tokens may carry: the discovery document's issuer, the bare project ID,
/// or a URL on the Descope origin whose last or second-to-last path segment is the project ID
/// (<c>/v1/apps/{P}</c>, <c>/v1/apps/{P}/{tenant}</c>, <c>/v1/apps/agentic/{P}/{MS}</c>). Nothing looser.
/// </summary>
internal sealed class DescopeIssuerRule(string projectId, Uri baseUrl)
{
    private readonly string _origin = DescopeUrls.Origin(baseUrl);

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

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var url)
            || !string.Equals(DescopeUrls.Origin(url), _origin, StringComparison.OrdinalIgnoreCase)
            || url.Query.Length > 0 || url.Fragment.Length > 0 || issuer.EndsWith('/'))
        {
            return false;
        }

        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is ["v1", "apps", var p] && p == projectId
            || segments is ["v1", "apps", var p2, _] && p2 == projectId
            || segments is ["v1", "apps", "agentic", var p3, _] && p3 == projectId;
    }
}
