using System.Security.Claims;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Claims;
using ModelContextProtocol;

namespace Descope.Mcp.AspNetCore;

/// <summary>
/// The access token lacks scopes an operation requires (RFC 6750 <c>insufficient_scope</c>). Its JSON form
/// (<see cref="ToJson"/>) has the fields of <c>InsufficientScopeError.to_json()</c> in Descope's Python MCP SDK.
/// </summary>
/// <remarks>
/// Thrown from a tool, it becomes an MCP tool error result whose text is <see cref="Exception.Message"/>, the
/// <see cref="ErrorDescription"/>.
/// </remarks>
public sealed class InsufficientScopeException : McpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requiredScopes">The scopes the operation requires.</param>
    /// <param name="tokenScopes">The scopes the token grants.</param>
    /// <param name="errorDescription">
    /// A description to report; by default <c>Token missing required scopes: </c> followed by the missing scopes.
    /// </param>
    public InsufficientScopeException(IEnumerable<string> requiredScopes, IEnumerable<string> tokenScopes, string? errorDescription = null)
        : this(Copy(requiredScopes, nameof(requiredScopes)), Copy(tokenScopes, nameof(tokenScopes)), errorDescription)
    {
    }

    private InsufficientScopeException(string[] required, string[] token, string? errorDescription)
        : this(required, token, Missing(required, token), errorDescription)
    {
    }

    /// <summary>
    /// The failure of a caller that lacks some of <paramref name="requiredScopes"/>, the missing ones judged with the scope
    /// hierarchy, so a scope implied by a broader granted one is never reported missing.
    /// </summary>
    internal static InsufficientScopeException For(ClaimsPrincipal user, IEnumerable<string> requiredScopes, string? errorDescription = null)
    {
        string[] required = [.. requiredScopes.Distinct(StringComparer.Ordinal)];
        return new(required, [.. DescopeClaims.Scopes(user)], DescopeClaims.MissingScopes(user, required), errorDescription);
    }

    private InsufficientScopeException(string[] required, string[] token, string[] missing, string? errorDescription)
        : base(errorDescription ?? "Token missing required scopes: " + string.Join(", ", missing))
    {
        RequiredScopes = required;
        TokenScopes = token;
        MissingScopes = missing;

        // Like the Python SDK: what the token has plus what is required, so a client that re-authorizes with this
        // value keeps the permissions it already holds.
        Scope = string.Join(' ', token.Union(required, StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    /// <summary>The scopes the operation requires, as given.</summary>
    public IReadOnlyList<string> RequiredScopes { get; }

    /// <summary>The scopes the token grants, as given.</summary>
    public IReadOnlyList<string> TokenScopes { get; }

    /// <summary>
    /// The required scopes the token lacks, each once, in the order they were required. When the library raises the
    /// exception, a scope implied by a broader granted one (<see cref="DescopeMcpOptions.ScopeHierarchy"/>) is not
    /// missing; the public constructor, which knows no hierarchy, compares the lists as given.
    /// </summary>
    public IReadOnlyList<string> MissingScopes { get; }

    /// <summary>
    /// The <c>scope</c> parameter to ask for: the sorted union of <see cref="TokenScopes"/> and <see cref="RequiredScopes"/>,
    /// space-separated.
    /// </summary>
    public string Scope { get; }

    /// <summary>The human-readable description; also the exception message.</summary>
    public string ErrorDescription => Message;

    /// <summary>
    /// The error as JSON: <c>error</c> (<c>insufficient_scope</c>), <c>scope</c>, <c>error_description</c>,
    /// <c>missing_scopes</c>, <c>token_scopes</c> and <c>required_scopes</c>, in that order.
    /// </summary>
    /// <returns>The JSON object, compact.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        WriteMembers(writer);
        writer.WriteEndObject();
    }

    /// <summary>The members of <see cref="ToJson"/>, for an object that carries more.</summary>
    internal void WriteMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("error", "insufficient_scope");
        writer.WriteString("scope", Scope);
        writer.WriteString("error_description", ErrorDescription);
        WriteArray(writer, "missing_scopes", MissingScopes);
        WriteArray(writer, "token_scopes", TokenScopes);
        WriteArray(writer, "required_scopes", RequiredScopes);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string[] Copy(IEnumerable<string> scopes, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(scopes, parameterName);
        return [.. scopes];
    }

    private static string[] Missing(string[] required, string[] token) =>
        [.. required.Except(token, StringComparer.Ordinal)];
}
