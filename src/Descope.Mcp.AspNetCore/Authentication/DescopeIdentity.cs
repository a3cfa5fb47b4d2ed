using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Descope.Mcp.AspNetCore.Authentication;

/// <summary>
/// The identity of a caller whose Descope token was accepted: a copy of the validated claims made for one request (app
/// code may change its principal without reaching other requests), which also knows two things off its claims: the
/// bearer token it came from, so the token that authorised an MCP message can be found from the message's principal
/// alone (the legacy SSE transport runs handlers in the stream's request, not in the request that carried the message),
/// and its scopes expanded by the scope hierarchy, worked out once per request.
/// </summary>
/// <remarks>
/// Nothing that is handed the principal can read the token: it is not a claim, and unlike the identity JwtBearer's token
/// handler builds, this one carries no <see cref="CaseSensitiveClaimsIdentity.SecurityToken"/>. A copy app code makes
/// (<see cref="ClaimsIdentity.Clone"/>) is a plain <see cref="CaseSensitiveClaimsIdentity"/> and knows neither.
/// </remarks>
internal sealed class DescopeIdentity : CaseSensitiveClaimsIdentity
{
    private DescopeIdentity(ClaimsIdentity validated, string bearerToken, string? boundKey, ScopeHierarchy scopeHierarchy)
        : base(validated)
    {
        BearerToken = bearerToken;
        BoundKey = boundKey;
        ExpandedScopes = scopeHierarchy.IsEmpty ? null : new ExpandedScopes(this, scopeHierarchy);
    }

    /// <summary>The token this identity was authenticated with.</summary>
    public string BearerToken { get; }

    /// <summary>The identity's scopes under the hierarchy, or <see langword="null"/> when none is configured.</summary>
    public ExpandedScopes? ExpandedScopes { get; }

    /// <summary>Whether the caller is a machine client, as <see cref="DescopeMcpOptions.MachineCallers"/> decided for this request.</summary>
    public bool IsMachineCaller { get; private set; }

    /// <summary>
    /// A principal of its own for one request, holding a copy of <paramref name="validated"/>, judged once by
    /// <paramref name="machineCallers"/>. <paramref name="boundKey"/> is what <see cref="TryReadBinding"/> read from
    /// <paramref name="validated"/> when the token was validated.
    /// </summary>
    public static ClaimsPrincipal PrincipalFor(ClaimsIdentity validated, string bearerToken, string? boundKey, ScopeHierarchy scopeHierarchy, MachineCallerOptions machineCallers)
    {
        var identity = new DescopeIdentity(validated, bearerToken, boundKey, scopeHierarchy);
        var principal = new ClaimsPrincipal(identity);
        identity.IsMachineCaller = machineCallers.IsMachineCaller(principal);
        return principal;
    }

    /// <summary>What was decided for the principal's Descope identity, or <see langword="null"/> when it has none.</summary>
    public static bool? IsMachineCallerOf(ClaimsPrincipal principal)
    {
        foreach (var identity in principal.Identities)
        {
            if (identity is DescopeIdentity descope)
            {
                return descope.IsMachineCaller;
            }
        }

        return null;
    }

    /// <summary>The <c>cnf.jkt</c> of the token: the thumbprint of the DPoP key it is bound to, or <see langword="null"/>.</summary>
    public string? BoundKey { get; }

    /// <summary>
    /// The thumbprint of the key a DPoP proof proved for this request (equal to <see cref="BoundKey"/>), or
    /// <see langword="null"/> for a bearer caller. Set once the binding has been checked.
    /// </summary>
    public string? ProvenKey { get; set; }

    /// <summary>Whether <paramref name="principal"/> authenticated with a DPoP-bound token and its proof.</summary>
    public static bool IsDPoP(ClaimsPrincipal? principal) => Of(principal)?.ProvenKey is not null;

    /// <summary>The key <paramref name="principal"/>'s request proved, to validate its token again without the proof.</summary>
    public static DescopeDPoPProof? ProofOf(ClaimsPrincipal? principal) =>
        Of(principal)?.ProvenKey is { } key ? DescopeDPoPProof.Proven(key) : null;

    /// <summary>The token one of the principal's identities was authenticated with, or <see langword="null"/>.</summary>
    public static string? BearerTokenOf(ClaimsPrincipal? principal) => Of(principal)?.BearerToken;

    private static DescopeIdentity? Of(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return null;
        }

        foreach (var identity in principal.Identities)
        {
            if (identity is DescopeIdentity descope)
            {
                return descope;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the binding of validated claims: <see langword="true"/> with <paramref name="boundKey"/> the <c>cnf.jkt</c>
    /// (or <see langword="null"/> without <c>cnf</c>); <see langword="false"/> when the token carries a <c>cnf</c> this
    /// server cannot verify: not exactly one JSON object whose only member is a non-empty base64url <c>jkt</c> string. Read
    /// once per validated token and remembered with it; IdentityModel keeps a JSON object claim as its JSON text.
    /// </summary>
    public static bool TryReadBinding(ClaimsIdentity identity, out string? boundKey)
    {
        boundKey = null;
        Claim? confirmation = null;
        foreach (var claim in identity.FindAll(DescopeClaimTypes.Confirmation))
        {
            if (confirmation is not null)
            {
                return false;
            }

            confirmation = claim;
        }

        if (confirmation is null)
        {
            return true;
        }

        if (!string.Equals(confirmation.ValueType, JsonClaimValueTypes.Json, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(confirmation.Value));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("jkt"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            var jkt = reader.GetString();
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject || reader.Read()
                || string.IsNullOrEmpty(jkt) || !DPoPProofValidator.IsBase64Url(jkt))
            {
                return false;
            }

            boundKey = jkt;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
