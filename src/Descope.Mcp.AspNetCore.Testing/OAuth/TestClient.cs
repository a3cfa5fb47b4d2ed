namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// An OAuth client of the test authority: registered by a client through dynamic client registration, or declared by a
/// test with <see cref="DescopeTestAuthority.AddClient"/>.
/// </summary>
public sealed class TestClient
{
    internal TestClient(string clientId) => ClientId = clientId;

    /// <summary>The client ID, written as <c>azp</c> in its tokens.</summary>
    public string ClientId { get; }

    /// <summary>The client secret; <see langword="null"/> for a public client, which authenticates with its ID alone.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The redirect URIs an authorization request may name, compared exactly.</summary>
    public IList<string> RedirectUris { get; } = [];

    /// <summary>The grants the client may use. Default: <c>authorization_code</c> and <c>refresh_token</c>.</summary>
    public IList<string> GrantTypes { get; } = [TestOAuthGrants.AuthorizationCode, TestOAuthGrants.RefreshToken];

    /// <summary>The scopes the client may be granted for itself with <c>client_credentials</c>.</summary>
    public ISet<string> Scopes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The display name sent at registration, if any.</summary>
    public string? ClientName { get; set; }
}
