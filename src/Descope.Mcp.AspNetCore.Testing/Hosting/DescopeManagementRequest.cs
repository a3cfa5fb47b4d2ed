using System.Text.Json;

namespace Descope.Mcp.AspNetCore.Testing.Hosting;

/// <summary>What the authority's Descope-shaped management endpoints (the connection vault, the FGA check) read alike.</summary>
internal static class DescopeManagementRequest
{
    /// <summary>
    /// Reads <c>Authorization: Bearer &lt;ProjectId&gt;:&lt;secret&gt;</c>, the credential Descope's management and
    /// outbound APIs take; <see langword="false"/> for anything else.
    /// </summary>
    public static bool TryReadCredential(string? authorization, out string projectId, out string secret)
    {
        const string Scheme = "Bearer ";
        projectId = secret = string.Empty;
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.Ordinal)
            || authorization[Scheme.Length..].Split(':', 2) is not [var project, var value] || value.Length == 0)
        {
            return false;
        }

        (projectId, secret) = (project, value);
        return true;
    }

    /// <summary>Reads a request body that must be one JSON object; <paramref name="problem"/> says why it is not.</summary>
    public static bool TryReadObject(string body, out JsonElement root, out string problem)
    {
        problem = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            root = default;
            problem = "the body is not JSON";
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the body is not a JSON object";
            return false;
        }

        return true;
    }
}
