using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The OAuth endpoints an MCP client uses, at the paths Descope serves them for an MCP server: dynamic client
/// registration, authorize and token. The discovery document advertises them. With
/// <see cref="DescopeTestAuthorityOptions.InteractiveConsent"/>, authorize shows a page whose answer is posted to the consent
/// path beside it.
/// </summary>
internal static class OAuthEndpoints
{
    public const string RegistrationPath = "/v1/mgmt/mcp/client/{projectId}/{mcpServerId}/register";
    public const string AuthorizePath = "/oauth2/v1/apps/agentic/{projectId}/{mcpServerId}/authorize";
    public const string ConsentSuffix = "/consent";
    public const string ConsentPath = AuthorizePath + ConsentSuffix;
    public const string TokenPath = "/oauth2/v1/apps/agentic/{projectId}/{mcpServerId}/token";

    public static void Map(WebApplication app, DescopeTestAuthority authority)
    {
        var store = authority.OAuth;
        var interactive = authority.UsesInteractiveConsent ? new InteractiveConsent(authority) : null;
        IConsent consent = interactive ?? (IConsent)new AutomaticConsent(authority);

        app.MapPost(RegistrationPath, (HttpContext context, string projectId, string mcpServerId) =>
            IsThisServer(authority, projectId, mcpServerId) ? RegistrationEndpoint.HandleAsync(context, authority, store) : Task.FromResult(Results.NotFound()));

        app.MapGet(AuthorizePath, (HttpContext context, string projectId, string mcpServerId) =>
            IsThisServer(authority, projectId, mcpServerId) ? AuthorizeEndpoint.Handle(context, authority, store, consent) : Results.NotFound());

        if (interactive is not null)
        {
            app.MapPost(ConsentPath, (HttpContext context, string projectId, string mcpServerId) =>
                IsThisServer(authority, projectId, mcpServerId) ? interactive.AnswerAsync(context) : Task.FromResult(Results.NotFound()));
        }

        var proofs = new TokenRequestProofs(authority, app.Services.GetRequiredService<IDataProtectionProvider>());
        app.MapPost(TokenPath, (HttpContext context, string projectId, string mcpServerId) =>
            IsThisServer(authority, projectId, mcpServerId) ? TokenEndpoint.HandleAsync(context, authority, store, proofs) : Task.FromResult(Results.NotFound()));
    }

    private static bool IsThisServer(DescopeTestAuthority authority, string projectId, string mcpServerId) =>
        projectId == authority.ProjectId && mcpServerId == authority.McpServerId;
}
