using Microsoft.Extensions.Configuration;

namespace Descope.Mcp.AspNetCore.Testing.Development;

/// <summary>The user the development authority signs in when the server declares none.</summary>
internal static class DevelopmentUser
{
    public const string Subject = "U2Developer";

    public static void AddTo(DescopeTestAuthority authority, IConfiguration descope)
    {
        authority.AddUser(Subject, user =>
        {
            user.Scopes.Add(TestConnectionVault.FetchScope);
            foreach (var key in new[] { nameof(DescopeMcpOptions.RequiredScopes), nameof(DescopeMcpOptions.ScopesSupported) })
            {
                foreach (var scope in descope.GetSection(key).GetChildren().Select(s => s.Value))
                {
                    if (!string.IsNullOrEmpty(scope))
                    {
                        user.Scopes.Add(scope);
                    }
                }
            }

            user.Claims["name"] = "Dev Developer";
            user.Claims["email"] = "developer@example.com";
        });
        authority.SignedInUser ??= Subject;
    }
}
