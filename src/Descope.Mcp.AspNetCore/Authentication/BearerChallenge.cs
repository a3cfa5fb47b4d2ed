using System.Text;
using Descope.Mcp.AspNetCore.Metadata;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// Builds every <c>WWW-Authenticate: Bearer</c> value this library sends (RFC 6750 §3, RFC 9728 §5.1). Values come
/// from configuration and fixed text only; nothing from a token or request is ever written into the header.
/// </summary>
internal sealed class BearerChallenge
{
    private readonly ProtectedResource _resource;
    private readonly string _withoutToken;
    private readonly string?[] _invalidToken;

    public BearerChallenge(ProtectedResource resource)
    {
        _resource = resource;
        // What a client should ask for first: the scopes every request needs, else everything the server uses, which is
        // what a client would request from scopes_supported anyway (MCP 2025-11-25 scope selection).
        var firstScopes = resource.RequiredScopes.Count > 0 ? resource.RequiredScopes : resource.ScopesSupported;
        var scope = firstScopes.Count > 0 ? string.Join(' ', firstScopes) : null;
        _withoutToken = Build(error: null, description: null, scope);
        _invalidToken = new string?[Enum.GetValues<DescopeTokenFailure>().Length];
        foreach (var failure in Enum.GetValues<DescopeTokenFailure>())
        {
            _invalidToken[(int)failure] = Build("invalid_token", DescopeTokenValidationResult.Describe(failure), scope);
        }
    }

    /// <summary>401 for a request without a token (no <c>error</c>, RFC 6750 §3.1) or with a refused one.</summary>
    public string Unauthorized(DescopeTokenFailure? failure) =>
        failure is { } f && f != DescopeTokenFailure.None ? _invalidToken[(int)f]! : _withoutToken;

    /// <summary>403 for a token that lacks scopes: names every scope the operation needs.</summary>
    public string InsufficientScope(IEnumerable<string> requiredScopes) =>
        Build("insufficient_scope", null, string.Join(' ', requiredScopes));

    private string Build(string? error, string? description, string? scope)
    {
        var builder = new StringBuilder("Bearer ");
        if (error is not null)
        {
            builder.Append("error=\"").Append(error).Append("\", ");
        }

        if (description is not null)
        {
            builder.Append("error_description=\"").Append(description).Append("\", ");
        }

        if (!string.IsNullOrEmpty(scope))
        {
            builder.Append("scope=\"").Append(scope).Append("\", ");
        }

        builder.Append("resource_metadata=\"").Append(_resource.ResourceMetadataUrl).Append('"');
        return builder.ToString();
    }
}
