using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing;

/// <summary>
/// How many requests the test authority has answered, by path, so tests can assert on traffic to Descope.
/// </summary>
public sealed class TestAuthorityRequestLog
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Requests for the MCP Server discovery document.</summary>
    public int Discovery => Count(path => path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal));

    /// <summary>Requests for the project key set.</summary>
    public int Jwks => Count(path => path.EndsWith("/.well-known/jwks.json", StringComparison.Ordinal));

    /// <summary>All requests answered.</summary>
    public int Total => Count(_ => true);

    /// <summary>Requests to one exact path.</summary>
    /// <param name="path">The path, for example <c>/v1/mgmt/outbound/app/user/token</c>.</param>
    /// <returns>The count.</returns>
    public int To(string path) => _counts.GetValueOrDefault(path);

    internal void Record(PathString path) => _counts.AddOrUpdate(path.Value ?? "/", 1, static (_, n) => n + 1);

    private int Count(Func<string, bool> predicate) => _counts.Where(p => predicate(p.Key)).Sum(p => p.Value);
}
