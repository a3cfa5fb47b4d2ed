namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The claim names of Descope access tokens. Principals built by this library keep these names as they are in the token.
/// </summary>
public static class DescopeClaimTypes
{
    /// <summary><c>sub</c>: the user ID.</summary>
    public const string Subject = "sub";

    /// <summary><c>scope</c>: the granted scopes, space-separated.</summary>
    public const string Scope = "scope";

    /// <summary><c>scp</c>: granted scopes as an array, as some issuers write them.</summary>
    public const string Scp = "scp";

    /// <summary><c>scopes</c>: granted scopes as an array, as some issuers write them.</summary>
    public const string Scopes = "scopes";

    /// <summary><c>azp</c>: the OAuth client ID the token was issued to.</summary>
    public const string AuthorizedParty = "azp";

    /// <summary><c>client_id</c>: the OAuth client ID the token was issued to, as RFC 9068 names it.</summary>
    public const string ClientId = "client_id";

    /// <summary><c>dct</c>: the current tenant.</summary>
    public const string CurrentTenant = "dct";

    /// <summary><c>tenants</c>: a JSON object of tenant IDs to <c>roles</c> and <c>permissions</c>.</summary>
    public const string Tenants = "tenants";

    /// <summary><c>roles</c>: project-level roles.</summary>
    public const string Roles = "roles";

    /// <summary><c>permissions</c>: project-level permissions.</summary>
    public const string Permissions = "permissions";

    /// <summary><c>cnf</c>: the confirmation of a bound token; <c>cnf.jkt</c> names the DPoP key (RFC 9449 §6.1).</summary>
    public const string Confirmation = "cnf";
}
