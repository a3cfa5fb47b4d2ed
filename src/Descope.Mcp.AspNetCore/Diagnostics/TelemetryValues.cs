using System.Collections.Frozen;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.Gate;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>Tag values, computed once: snake_case names of the library's outcome enums.</summary>
internal static class TelemetryValues
{
    public const string Valid = "valid";
    public const string Remembered = "remembered";
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Issued = "issued";
    public const string Error = "error";
    public const string Canceled = "canceled";
    public const string CacheHit = "hit";
    public const string CacheMiss = "miss";
    public const string CacheBypass = "bypass";
    public const string Allowed = "allowed";
    public const string Denied = "denied";

    private static readonly FrozenDictionary<DescopeTokenFailure, string> TokenFailures = SnakeCaseNames<DescopeTokenFailure>();
    private static readonly FrozenDictionary<ConnectionTokenFailure, string> ConnectionFailures = SnakeCaseNames<ConnectionTokenFailure>();
    private static readonly FrozenDictionary<DPoPProofFailure, string> ProofFailures = SnakeCaseNames<DPoPProofFailure>();
    private static readonly FrozenDictionary<RelationCheckFailure, string> RelationFailures = SnakeCaseNames<RelationCheckFailure>();

    public static string Of(DescopeTokenFailure failure) =>
        failure == DescopeTokenFailure.None ? Valid : TokenFailures.GetValueOrDefault(failure, Error);

    public static string Of(ConnectionTokenFailure failure) => ConnectionFailures.GetValueOrDefault(failure, Error);

    public static string Of(DPoPProofFailure failure) =>
        failure == DPoPProofFailure.None ? Valid : ProofFailures.GetValueOrDefault(failure, Error);

    public static string Of(RelationCheckFailure failure) => RelationFailures.GetValueOrDefault(failure, Error);

    public static string Of(PrimitiveAccessOutcome decision) => decision switch
    {
        PrimitiveAccessOutcome.Allowed => "allowed",
        PrimitiveAccessOutcome.MissingScopes => "step_up",
        PrimitiveAccessOutcome.InvalidArguments => "invalid_arguments",
        PrimitiveAccessOutcome.SignInRequired => "sign_in",
        _ => "forbidden",
    };

    private static FrozenDictionary<T, string> SnakeCaseNames<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().ToFrozenDictionary(value => value, value => SnakeCase(value.ToString()));

    internal static string SnakeCase(string name)
    {
        // "DPoP" is one word: InvalidDPoPProof is invalid_dpop_proof.
        name = name.Replace("DPoP", "Dpop", StringComparison.Ordinal);
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
