using System.Collections.Concurrent;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>Counts tool runs per server, so a test can assert that a refused call never reached the tool.</summary>
public sealed class ToolInvocations
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    public int Of(string tool) => _counts.GetValueOrDefault(tool);

    public void Record(string tool) => _counts.AddOrUpdate(tool, 1, static (_, n) => n + 1);
}
