using System.Globalization;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing.Hosting;
using Descope.Mcp.AspNetCore.Testing.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Testing.Connections;

/// <summary>
/// Descope's outbound-token API over the <see cref="TestConnectionVault"/>, plus the <see cref="ConnectPage"/> a connect URL
/// leads to, so a sample can go through the whole flow offline.
/// </summary>
internal static class ConnectionVaultEndpoints
{
    private const string CompleteConnectPath = "/test/outbound/connect";
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonWebTokenHandler TokenHandler = new() { MapInboundClaims = false };

    private static readonly Dictionary<string, Shape> Shapes = new(StringComparer.Ordinal)
    {
        ["/v1/mgmt/outbound/app/user/token"] = new(Owner.User, ByScopes: true, Required: ["appId", "userId", "scopes"], Optional: ["tenantId", "options"]),
        ["/v1/mgmt/outbound/app/user/token/latest"] = new(Owner.User, ByScopes: false, Required: ["appId", "userId"], Optional: ["tenantId", "options"]),
        ["/v1/mgmt/outbound/app/tenant/token"] = new(Owner.Tenant, ByScopes: true, Required: ["appId", "tenantId", "scopes"], Optional: ["options"]),
        ["/v1/mgmt/outbound/app/tenant/token/latest"] = new(Owner.Tenant, ByScopes: false, Required: ["appId", "tenantId"], Optional: ["options"]),
        ["/v1/mgmt/outbound/app/connect"] = new(Owner.Connect, ByScopes: false, Required: ["appId"], Optional: ["tenantId", "options"]),
    };

    public static void Map(WebApplication app, DescopeTestAuthority authority)
    {
        foreach (var path in Shapes.Keys)
        {
            app.MapPost(path, (HttpContext context) => HandleAsync(context, path, authority));
        }

        var connectPage = new ConnectPage(authority);
        app.MapGet(CompleteConnectPath, (HttpContext context, string? app, string? user, string? tenant, string? scopes, string? redirect) =>
            connectPage.Open(context, app, user, tenant, scopes, redirect));
        if (authority.UsesInteractiveConsent)
        {
            app.MapPost(CompleteConnectPath, (Delegate)((HttpContext context) => connectPage.AnswerAsync(context)));
        }
    }

    private static async Task HandleAsync(HttpContext context, string path, DescopeTestAuthority authority)
    {
        var vault = authority.Connections;
        var body = await ReadBodyAsync(context.Request);
        var authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null;

        var fault = await vault.Faults.ApplyAsync(context.RequestAborted);
        if (fault is { Drop: true })
        {
            vault.Record(new TestVaultRequest(path, body, authorization, 0));
            context.Abort();
            return;
        }

        var result = fault is not null
            ? Fail(fault.StatusCode, "E130001", "Injected fault", fault.RetryAfter)
            : await AnswerAsync(Shapes[path], body, authorization, authority);
        vault.Record(new TestVaultRequest(path, body, authorization, result.Status));

        context.Response.StatusCode = result.Status;
        if (fault?.Location is { } location)
        {
            context.Response.Headers.Location = location.AbsoluteUri;
        }

        if (result.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsJsonAsync(result.Json);
    }

    private static async Task<Answer> AnswerAsync(Shape shape, string body, string? authorization, DescopeTestAuthority authority)
    {
        // Like Descope: the credential is checked before the request is.
        var caller = await AuthorizeAsync(authorization, authority);
        if (caller.Refusal is { } refusal)
        {
            return refusal;
        }

        if (!TryParse(body, shape, out var request, out var problem))
        {
            return Fail(400, "E011002", "Request is invalid: " + problem);
        }

        if (shape.Owner == Owner.Connect)
        {
            return Connect(request, caller, authority);
        }

        if (!caller.IsManagementKey)
        {
            var deniedBy = shape.Owner == Owner.User && request.UserId != caller.Subject ? "a user may fetch only their own tokens"
                : shape.Owner == Owner.Tenant && !caller.Tenants.Contains(request.TenantId!) ? "the caller is not a member of the tenant"
                : authority.Connections.IsDenied(request.AppId, caller.Subject) ? "a policy denies it"
                : null;
            if (deniedBy is not null)
            {
                return Fail(403, "E011003", "Access denied: " + deniedBy);
            }
        }

        var connection = authority.Connections.Find(request.AppId, shape.Owner == Owner.User ? request.UserId : null, request.TenantId, request.Scopes);
        if (connection is null)
        {
            return Fail(404, "E111504", "Outbound app token not found");
        }

        var (accessToken, expiresAt) = request.ForceRefresh ? connection.Refresh() : connection.Current();
        var token = new Dictionary<string, object?>
        {
            ["id"] = connection.Id,
            ["appId"] = connection.AppId,
            ["userId"] = connection.UserId ?? "",
            ["tokenSub"] = connection.UserId ?? connection.TenantId,
            ["accessToken"] = accessToken,
            ["accessTokenType"] = connection.TokenType,
            ["accessTokenExpiry"] = Expiry(expiresAt, connection.ExpiryFormat),
            ["hasRefreshToken"] = true,
            ["refreshToken"] = request.WithRefreshToken ? connection.RefreshToken : "",
            ["lastRefreshTime"] = authority.TimeProvider.GetUtcNow().ToUnixTimeSeconds(),
            ["lastRefreshError"] = "",
            ["scopes"] = connection.Scopes,
            ["tenantId"] = connection.TenantId ?? "",
            ["grantedBy"] = connection.UserId is null ? "tenant" : "user",
        };
        return new Answer(200, new Dictionary<string, object?> { ["token"] = token }, null);
    }

    private static Answer Connect(Request request, Caller caller, DescopeTestAuthority authority)
    {
        if (caller.IsManagementKey || caller.Subject is null)
        {
            return Fail(400, "E011002", "Request is invalid: connecting needs a user's access token");
        }

        var query = new Dictionary<string, string?> { ["app"] = request.AppId, ["user"] = caller.Subject };
        query["tenant"] = request.TenantId;
        query["scopes"] = request.Scopes.Length > 0 ? string.Join(' ', request.Scopes) : null;
        query["redirect"] = request.RedirectUrl;
        var url = QueryHelpers.AddQueryString(authority.BaseUrl.AbsoluteUri.TrimEnd('/') + CompleteConnectPath, query.Where(p => p.Value is not null));
        return new Answer(200, new Dictionary<string, object?> { ["url"] = url }, null);
    }

    private static async Task<Caller> AuthorizeAsync(string? authorization, DescopeTestAuthority authority)
    {
        if (!DescopeManagementRequest.TryReadCredential(authorization, out var projectId, out var secret))
        {
            return Caller.Refused(Fail(401, "E011004", "Unauthorized: expected 'Bearer <ProjectId>:<token>'"));
        }

        if (projectId != authority.ProjectId)
        {
            return Caller.Refused(Fail(401, "E011004", "Unauthorized: unknown project"));
        }

        if (authority.Connections.ManagementKey is { } managementKey && secret == managementKey)
        {
            return new Caller(null, new HashSet<string>(), IsManagementKey: true, null);
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = authority.Keys.Published().Select(k => new RsaSecurityKey(k.Key) { KeyId = k.KeyId }).ToArray(),
            ValidIssuers = [authority.Issuer, $"{authority.BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/apps/{authority.ProjectId}", authority.ProjectId],
            ValidateAudience = false,
            ValidAlgorithms = ["RS256", "RS384", "RS512"],
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = authority.TimeProvider.GetUtcNow().UtcDateTime;
                return expires > now && (notBefore is null || notBefore <= now.AddSeconds(30));
            },
        };
        var result = await TokenHandler.ValidateTokenAsync(secret, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            return Caller.Refused(Fail(401, "E011004", "Unauthorized: the access token is not valid"));
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        var claims = payload.RootElement;
        var scopes = claims.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.String
            ? OAuthScopes.Parse(scope.GetString())
            : [];
        if (!scopes.Contains(TestConnectionVault.FetchScope, StringComparer.Ordinal))
        {
            return Caller.Refused(Fail(403, "E011003", $"Access denied: the access token lacks the '{TestConnectionVault.FetchScope}' scope"));
        }

        var tenants = new HashSet<string>(StringComparer.Ordinal);
        if (claims.TryGetProperty("dct", out var current) && current.ValueKind == JsonValueKind.String)
        {
            tenants.Add(current.GetString()!);
        }

        if (claims.TryGetProperty("tenants", out var memberships) && memberships.ValueKind == JsonValueKind.Object)
        {
            tenants.UnionWith(memberships.EnumerateObject().Select(p => p.Name));
        }

        var subject = claims.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString() : null;
        return new Caller(subject, tenants, IsManagementKey: false, null);
    }

    /// <summary>Descope refuses unknown fields, missing ones and wrong types with 400.</summary>
    private static bool TryParse(string body, Shape shape, out Request request, out string problem)
    {
        request = null!;
        if (!DescopeManagementRequest.TryReadObject(body, out var root, out problem))
        {
            return false;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!shape.Required.Contains(property.Name) && !shape.Optional.Contains(property.Name))
            {
                problem = $"unknown field '{property.Name}'";
                return false;
            }
        }

        foreach (var name in shape.Required)
        {
            if (!root.TryGetProperty(name, out _))
            {
                problem = $"missing field '{name}'";
                return false;
            }
        }

        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        foreach (var name in new[] { "appId", "userId", "tenantId" })
        {
            if (root.TryGetProperty(name, out var value) && (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0))
            {
                problem = $"field '{name}' must be a non-empty string";
                return false;
            }
        }

        string[] scopes = [];
        if (root.TryGetProperty("scopes", out var scopeArray) && !TryReadScopes(scopeArray, out scopes))
        {
            problem = "field 'scopes' must be an array of strings";
            return false;
        }

        if (shape.ByScopes && scopes.Length == 0)
        {
            problem = "field 'scopes' must not be empty";
            return false;
        }

        bool withRefreshToken = false, forceRefresh = false;
        string? redirectUrl = null;
        if (root.TryGetProperty("options", out var options))
        {
            if (options.ValueKind != JsonValueKind.Object)
            {
                problem = "field 'options' must be an object";
                return false;
            }

            foreach (var option in options.EnumerateObject())
            {
                switch (shape.Owner, option.Name, option.Value.ValueKind)
                {
                    case (not Owner.Connect, "withRefreshToken", JsonValueKind.True or JsonValueKind.False):
                        withRefreshToken = option.Value.GetBoolean();
                        break;
                    case (not Owner.Connect, "forceRefresh", JsonValueKind.True or JsonValueKind.False):
                        forceRefresh = option.Value.GetBoolean();
                        break;
                    case (Owner.Connect, "redirectUrl", JsonValueKind.String):
                        redirectUrl = option.Value.GetString();
                        break;
                    case (Owner.Connect, "scopes", _) when TryReadScopes(option.Value, out var connectScopes):
                        scopes = connectScopes;
                        break;
                    default:
                        problem = $"unknown or mistyped option '{option.Name}'";
                        return false;
                }
            }
        }

        request = new Request(Text("appId")!, Text("userId"), Text("tenantId"), scopes, withRefreshToken, forceRefresh, redirectUrl);
        problem = "";
        return true;
    }

    private static bool TryReadScopes(JsonElement value, out string[] scopes)
    {
        scopes = [];
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        scopes = [.. value.EnumerateArray().Select(s => s.GetString()!)];
        return true;
    }

    private static object? Expiry(DateTimeOffset? expiresAt, TestTokenExpiryFormat format) => expiresAt is not { } at ? null : format switch
    {
        TestTokenExpiryFormat.EpochMilliseconds => at.ToUnixTimeMilliseconds(),
        TestTokenExpiryFormat.EpochSecondsString => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        TestTokenExpiryFormat.Rfc3339 => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        _ => at.ToUnixTimeSeconds(),
    };

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0)
        {
            length += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static Answer Fail(int status, string errorCode, string description, TimeSpan? retryAfter = null) =>
        new(status, new Dictionary<string, object?>
        {
            ["errorCode"] = errorCode,
            ["errorDescription"] = description,
            ["errorMessage"] = description,
        }, retryAfter);

    private enum Owner
    {
        User,
        Tenant,
        Connect,
    }

    private sealed record Shape(Owner Owner, bool ByScopes, string[] Required, string[] Optional);

    private sealed record Request(string AppId, string? UserId, string? TenantId, string[] Scopes, bool WithRefreshToken, bool ForceRefresh, string? RedirectUrl);

    private sealed record Answer(int Status, Dictionary<string, object?> Json, TimeSpan? RetryAfter);

    private sealed record Caller(string? Subject, IReadOnlySet<string> Tenants, bool IsManagementKey, Answer? Refusal)
    {
        public static Caller Refused(Answer refusal) => new(null, new HashSet<string>(), false, refusal);
    }
}
