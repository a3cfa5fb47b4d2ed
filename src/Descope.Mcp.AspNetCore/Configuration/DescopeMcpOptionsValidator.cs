using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Claims;
using Descope.Mcp.AspNetCore.Connections;
using Descope.Mcp.AspNetCore.Internal;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Configuration;

/// <summary>
/// Checks <see cref="DescopeMcpOptions"/> at startup; every failure names the configuration key and shows a good value.
/// </summary>
internal sealed class DescopeMcpOptionsValidator : IValidateOptions<DescopeMcpOptions>
{
    private static readonly HashSet<string> AsymmetricAlgorithms =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private const string Key = DescopeMcpDefaults.ConfigurationSection + ":";

    public ValidateOptionsResult Validate(string? name, DescopeMcpOptions options)
    {
        var failures = new List<string>();

        ValidateMcpServerUrl(options.McpServerUrl, failures);
        ValidateDescopeUrls(options, failures);

        foreach (var audience in options.AdditionalAudiences)
        {
            if (string.IsNullOrWhiteSpace(audience))
            {
                failures.Add($"{Key}AdditionalAudiences contains an empty value. Each entry is an accepted 'aud' value, for example https://mcp.example.com/mcp.");
            }
        }

        foreach (var algorithm in options.AllowedSigningAlgorithms)
        {
            if (!AsymmetricAlgorithms.Contains(algorithm))
            {
                failures.Add($"{Key}AllowedSigningAlgorithms contains '{Sanitize(algorithm)}', which is not an asymmetric JWS algorithm. Use values such as RS256 or ES256.");
            }
        }

        ValidateScopes(nameof(options.ScopesSupported), options.ScopesSupported, failures);
        ValidateScopes(nameof(options.RequiredScopes), options.RequiredScopes, failures);
        ValidateScopeHierarchy(options.ScopeHierarchy, failures);

        if (!Enum.IsDefined(options.ToolAuthorizationFailureMode))
        {
            failures.Add($"{Key}ToolAuthorizationFailureMode must be Forbidden or ToolError.");
        }

        if (!Enum.IsDefined(options.AnonymousAccess))
        {
            failures.Add($"{Key}AnonymousAccess must be None or PublicPrimitives.");
        }

        if (options.MaxToolCallBodySize < 1024 || options.MaxToolCallBodySize > 256 * 1024 * 1024)
        {
            failures.Add($"{Key}MaxToolCallBodySize must be between 1024 and 268435456 (256 MiB) bytes, for example 4194304 (4 MiB).");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Key}ClockSkew must be between 00:00:00 and 00:05:00, for example 00:00:30.");
        }

        if (options.KeyRefreshInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Key}KeyRefreshInterval must be at least one second, for example 00:05:00.");
        }

        if (options.AutomaticKeyRefreshInterval < TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Key}AutomaticKeyRefreshInterval must be at least five minutes, for example 12:00:00.");
        }

        if (options.BackchannelTimeout <= TimeSpan.Zero || options.BackchannelTimeout > TimeSpan.FromMinutes(2))
        {
            failures.Add($"{Key}BackchannelTimeout must be greater than zero and at most two minutes, for example 00:00:10.");
        }

        if (options.ValidatedTokenCacheDuration < TimeSpan.Zero || options.ValidatedTokenCacheDuration > TimeSpan.FromHours(1))
        {
            failures.Add($"{Key}ValidatedTokenCacheDuration must be between 00:00:00 (off) and 01:00:00, for example 00:05:00.");
        }

        if (options.ValidatedTokenCacheSize < 1)
        {
            failures.Add($"{Key}ValidatedTokenCacheSize must be at least 1, for example 10000.");
        }

        if (options.ValidatedTokenCacheMemoryLimit < 1024 * 1024)
        {
            failures.Add($"{Key}ValidatedTokenCacheMemoryLimit must be at least 1048576 bytes (1 MiB), for example 67108864.");
        }

        if (options.AuthorityUnavailableRetryAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Key}AuthorityUnavailableRetryAfter must be at least one second, for example 00:00:10.");
        }

        ValidateMachineCallers(options.MachineCallers, failures);
        ConnectionTokenOptionsValidation.Validate(options.Connections, options.ManagementKey, failures);
        ValidateTokenExchange(options.TokenExchange, failures);
        ValidateDPoP(options.DPoP, failures);
        ValidateFga(options.Fga, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateMachineCallers(MachineCallerOptions machineCallers, List<string> failures)
    {
        if (machineCallers.Predicate is null)
        {
            failures.Add($"{Key}MachineCallers:Predicate must not be null. Leave it at MachineCallerOptions.IsClientCredentialsToken, or set a rule of your own.");
        }

        foreach (var clientId in machineCallers.ClientIds)
        {
            if (string.IsNullOrWhiteSpace(clientId))
            {
                failures.Add($"{Key}MachineCallers:ClientIds contains an empty value. Each entry is an OAuth client ID, for example reporting-service.");
            }
        }
    }

    private static void ValidateDPoP(DPoPOptions dpop, List<string> failures)
    {
        foreach (var algorithm in dpop.AllowedAlgorithms)
        {
            if (!DPoPProofValidator.SupportedAlgorithms.Contains(algorithm, StringComparer.Ordinal))
            {
                failures.Add($"{Key}DPoP:AllowedAlgorithms contains '{Sanitize(algorithm ?? string.Empty)}', which is not a supported DPoP proof algorithm. Use values among {string.Join(", ", DPoPProofValidator.SupportedAlgorithms)}, for example ES256.");
            }
        }

        if (dpop.ProofLifetime < TimeSpan.FromSeconds(1) || dpop.ProofLifetime > TimeSpan.FromHours(1))
        {
            failures.Add($"{Key}DPoP:ProofLifetime must be between 00:00:01 and 01:00:00, for example 00:05:00.");
        }

        if (dpop.NonceLifetime < TimeSpan.FromSeconds(1) || dpop.NonceLifetime > TimeSpan.FromHours(1))
        {
            failures.Add($"{Key}DPoP:NonceLifetime must be between 00:00:01 and 01:00:00, for example 00:05:00.");
        }

        if (!Enum.IsDefined(dpop.BoundTokenForwarding))
        {
            failures.Add($"{Key}DPoP:BoundTokenForwarding must be Forward or Refuse.");
        }

        // The value is never repeated: it may hold a password.
        if (!string.IsNullOrEmpty(dpop.ReplayRedis) && DPoPReplayRedis.Parse(dpop.ReplayRedis) is null)
        {
            failures.Add($"{Key}DPoP:ReplayRedis is not a StackExchange.Redis configuration string naming at least one endpoint. Use host:port followed by options, for example redis.internal:6379,ssl=true,password=<password>, or leave it empty.");
        }
    }

    private static void ValidateFga(FgaOptions fga, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(fga.UserTargetType) || fga.UserTargetType.Any(char.IsControl))
        {
            failures.Add($"{Key}Fga:UserTargetType must name the type of users in the FGA schema, for example {FgaOptions.DefaultUserTargetType}.");
        }

        if (fga.ClientTargetType is not null && (string.IsNullOrWhiteSpace(fga.ClientTargetType) || fga.ClientTargetType.Any(char.IsControl)))
        {
            failures.Add($"{Key}Fga:ClientTargetType must name the type of machine clients in the FGA schema, for example client, or be left out to refuse machine callers.");
        }

        if (fga.CacheDuration < TimeSpan.Zero || fga.CacheDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Key}Fga:CacheDuration must be between 00:00:00 (no caching) and 1.00:00:00, for example 00:00:30.");
        }

        if (fga.TotalTimeout < TimeSpan.FromMilliseconds(10) || fga.TotalTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Key}Fga:TotalTimeout must be between 00:00:00.010 and 00:05:00, for example 00:00:10.");
        }

        if (fga.AttemptTimeout < TimeSpan.FromMilliseconds(10) || fga.AttemptTimeout > fga.TotalTimeout)
        {
            failures.Add($"{Key}Fga:AttemptTimeout must be at least 00:00:00.010 and at most {Key}Fga:TotalTimeout, for example 00:00:05.");
        }

        // A path prefix is kept: Descope's SDKs append the API path to the FGA cache URL as it is.
        if (!string.IsNullOrEmpty(fga.BaseUrl)
            && (!Uri.TryCreate(fga.BaseUrl, UriKind.Absolute, out var baseUrl) || !DescopeUrls.IsSecureOrLoopback(baseUrl)
                || baseUrl.Query.Length > 0 || baseUrl.Fragment.Length > 0 || baseUrl.UserInfo.Length > 0))
        {
            failures.Add($"{Key}Fga:BaseUrl '{Sanitize(fga.BaseUrl)}' is not where Descope FGA checks can go: use an absolute https URL without query, for example the FGA cache service's (http is accepted only for localhost).");
        }
    }

    private static void ValidateScopes(string key, IEnumerable<string> scopes, List<string> failures)
    {
        foreach (var scope in scopes)
        {
            if (!ScopeSyntax.IsValidScope(scope))
            {
                failures.Add($"{Key}{key} contains '{Sanitize(scope ?? string.Empty)}', which is not a valid OAuth scope. Use printable ASCII without spaces, quotes or backslashes, for example calendar.read.");
            }
            else if (scope == ScopeSyntax.OfflineAccess)
            {
                failures.Add($"{Key}{key} must not contain offline_access: MCP servers do not ask for it or advertise it.");
            }
        }
    }

    private static void ValidateScopeHierarchy(IDictionary<string, string[]> hierarchy, List<string> failures)
    {
        const string example = "for example Descope:ScopeHierarchy:calendar:0=calendar.read";
        var valid = true;
        foreach (var (broader, narrower) in hierarchy)
        {
            var key = $"{Key}ScopeHierarchy:{Sanitize(broader ?? string.Empty)}";
            if (!ScopeSyntax.IsValidScope(broader))
            {
                failures.Add($"{key} is not a valid OAuth scope name. Name a broader scope in printable ASCII without spaces, quotes or backslashes, {example}.");
                valid = false;
            }

            if (narrower is null || narrower.Length == 0)
            {
                failures.Add($"{key} implies no scopes. List the narrower scopes it implies, {example}.");
                valid = false;
                continue;
            }

            for (var i = 0; i < narrower.Length; i++)
            {
                if (!ScopeSyntax.IsValidScope(narrower[i]))
                {
                    failures.Add($"{key}:{i} is '{Sanitize(narrower[i] ?? string.Empty)}', which is not a valid OAuth scope. Use printable ASCII without spaces, quotes or backslashes, {example}.");
                    valid = false;
                }
            }
        }

        if (valid && ScopeHierarchy.FindCycle(hierarchy) is { } cycle)
        {
            failures.Add($"{Key}ScopeHierarchy:{Sanitize(cycle[0])} is part of a cycle ({Sanitize(string.Join(" -> ", cycle))}): a scope cannot imply itself.");
        }
    }

    private static void ValidateMcpServerUrl(string? value, List<string> failures)
    {
        const string example = "for example https://mcp.example.com/mcp (http is accepted only for localhost)";
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{Key}McpServerUrl is required: set it to the canonical URL of this MCP server's endpoint, {example}.");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || !DescopeUrls.IsSecureOrLoopback(url)
            || url.Fragment.Length > 0 || url.Query.Length > 0 || url.UserInfo.Length > 0)
        {
            failures.Add($"{Key}McpServerUrl '{SanitizeUrl(value)}' is not a valid MCP server URL: use an absolute https URL without query or fragment, {example}.");
        }
        else if (DescopeUrls.CanonicalResourceUrl(url) is var canonical && value != canonical && value + "/" != canonical)
        {
            // Clients compare the metadata's resource with the URL they connected to: a trailing slash or a path that is
            // not written the way it is sent would make them refuse the server.
            failures.Add($"{Key}McpServerUrl '{SanitizeUrl(value)}' is not in the form clients compare with: use {SanitizeUrl(canonical)} (no trailing slash, no dot segments).");
        }
    }

    private static void ValidateDescopeUrls(DescopeMcpOptions options, List<string> failures)
    {
        const string wellKnownExample = "for example https://api.descope.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration";
        Uri? wellKnown = null;
        if (string.IsNullOrWhiteSpace(options.WellKnownUrl))
        {
            // A project ID that is set but malformed, or a malformed base URL, left nothing to derive it from: those keys
            // are named below, and this one, which was never set, is not blamed.
            if (string.IsNullOrWhiteSpace(options.ProjectId))
            {
                failures.Add($"{Key}WellKnownUrl is required unless {Key}ProjectId is set: copy the MCP Server discovery URL from the Descope console, {wellKnownExample}.");
            }
        }
        else if (DescopeUrls.WellKnownUrlProblem(options.WellKnownUrl, out wellKnown) is { } problem)
        {
            failures.Add($"{Key}WellKnownUrl '{SanitizeUrl(options.WellKnownUrl)}' is not a Descope MCP Server discovery URL: {problem}. Copy it from the Descope console, {wellKnownExample}.");
            wellKnown = null;
        }

        if (options.ProjectId is { } projectId && !DescopeUrls.IsProjectId(projectId))
        {
            failures.Add($"{Key}ProjectId '{Sanitize(projectId)}' is not a Descope project ID: it starts with P and has only letters and digits, for example P2abc123.");
        }

        if (options.McpServerId is { } mcpServerId && !DescopeUrls.IsMcpServerId(mcpServerId))
        {
            failures.Add($"{Key}McpServerId '{Sanitize(mcpServerId)}' is not a Descope MCP server ID: it starts with MS and has only letters and digits, for example MS2def456.");
        }

        if (wellKnown is not null && DescopeUrls.TryParseWellKnownUrl(wellKnown, out var urlProject, out var urlServer))
        {
            if (options.ProjectId is { } p && p != urlProject)
            {
                failures.Add($"{Key}ProjectId '{Sanitize(p)}' does not match the project in {Key}WellKnownUrl ('{urlProject}'). Remove one of them or make them agree.");
            }

            if (options.McpServerId is { } ms && urlServer is not null && ms != urlServer)
            {
                failures.Add($"{Key}McpServerId '{Sanitize(ms)}' does not match the MCP server in {Key}WellKnownUrl ('{urlServer}'). Remove one of them or make them agree.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && !DescopeUrls.IsApiOrigin(options.BaseUrl))
        {
            failures.Add($"{Key}BaseUrl '{SanitizeUrl(options.BaseUrl)}' is not a Descope API origin, for example https://api.descope.com (http is accepted only for localhost).");
        }
    }

    // Configuration values are echoed to help the operator, but never control characters, and never long.
    internal static string Sanitize(string value)
    {
        var clean = new string([.. value.Where(c => !char.IsControl(c))]);
        return clean.Length > 120 ? clean[..120] + "…" : clean;
    }

    // A URL is echoed whole, so a typo at its end stays visible; only one longer than any real URL is shortened, and its
    // message says what is wrong with it.
    internal static string SanitizeUrl(string value)
    {
        const int MaxLength = 2048;
        var clean = new string([.. value.Where(c => !char.IsControl(c))]);
        return clean.Length > MaxLength ? $"{clean[..MaxLength]}… ({clean.Length} characters)" : clean;
    }

    // The exchange is in use once its client ID is set; only then is the secret required, so apps without it start.
    private static void ValidateTokenExchange(TokenExchangeOptions options, List<string> failures)
    {
        if (string.IsNullOrEmpty(options.ClientId))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add($"{Key}TokenExchange:ClientSecret is required when {Key}TokenExchange:ClientId is set: the MCP server's client secret from the Descope console.");
        }

        if (!options.TokenEndpointPath.StartsWith('/') || options.TokenEndpointPath.StartsWith("//", StringComparison.Ordinal)
            || !Uri.TryCreate(options.TokenEndpointPath, UriKind.Relative, out _))
        {
            failures.Add($"{Key}TokenExchange:TokenEndpointPath must be a path starting with '/', for example /oauth2/v1/apps/token.");
        }

        if (!Enum.IsDefined(options.BodyEncoding))
        {
            failures.Add($"{Key}TokenExchange:BodyEncoding must be Json or Form.");
        }
    }
}
