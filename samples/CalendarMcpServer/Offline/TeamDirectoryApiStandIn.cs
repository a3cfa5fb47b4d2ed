using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CalendarMcpServer.Offline;

/// <summary>
/// A local stand-in for a first-party team directory API: it accepts only tokens the test authority issued for its own
/// URL (signature by the authority's keys, <c>aud</c>, expiry) that name the MCP server as actor (<c>act.sub</c>).
/// </summary>
internal sealed class TeamDirectoryApiStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TeamDirectoryApiStandIn(WebApplication app, Uri apiUrl)
    {
        _app = app;
        ApiUrl = apiUrl;
    }

    /// <summary>The API's base URL, ending in <c>/directory/</c>.</summary>
    public Uri ApiUrl { get; private set; }

    public static async Task<TeamDirectoryApiStandIn> StartAsync(DescopeTestAuthority authority, string serverClientId)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new TeamDirectoryApiStandIn(app, null!);
        using var keysClient = new HttpClient();
        var keys = new JsonWebKeySet(await keysClient.GetStringAsync(authority.JwksUrl));

        app.MapGet("/directory/team", async (HttpContext context) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var result = header.StartsWith("Bearer ", StringComparison.Ordinal)
                ? await new JsonWebTokenHandler().ValidateTokenAsync(header["Bearer ".Length..], new TokenValidationParameters
                {
                    ValidIssuer = authority.Issuer,
                    ValidAudience = standIn.ApiUrl.AbsoluteUri,
                    IssuerSigningKeys = keys.GetSigningKeys(),
                })
                : null;
            if (result is not { IsValid: true } || result.SecurityToken is not JsonWebToken token || ActorOf(token) != serverClientId)
            {
                return Results.Json(new { error = "invalid_token" }, statusCode: 401);
            }

            return Results.Json(new[] { $"Alex Rivera (manager of {token.Subject})", "Sam Lee", "Priya Natarajan" });
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.ApiUrl = new Uri(address.TrimEnd('/') + "/directory/");
        return standIn;
    }

    private static string? ActorOf(JsonWebToken token)
    {
        var act = token.Claims.FirstOrDefault(c => c.Type == "act")?.Value;
        if (act is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(act);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("sub", out var sub) ? sub.GetString() : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
