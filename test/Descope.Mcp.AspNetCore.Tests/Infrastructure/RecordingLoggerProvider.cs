using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>One log line as a provider receives it: the formatted message, the structured values and the scopes.</summary>
internal sealed record LogEntry(
    string Category,
    EventId EventId,
    LogLevel Level,
    string Message,
    Exception? Exception,
    IReadOnlyDictionary<string, object?> Values,
    IReadOnlyDictionary<string, object?> Scopes)
{
    /// <summary>Everything the line carries as text, for scans.</summary>
    public string AllText => string.Join("\n", [Message, Exception?.ToString() ?? string.Empty,
        .. Values.Select(v => v.Key + "=" + v.Value), .. Scopes.Select(s => s.Key + "=" + s.Value)]);
}

/// <summary>
/// A logging provider that keeps every line with its scopes (including the trace and span IDs ASP.NET Core adds).
/// </summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The lines that carry <paramref name="text"/> anywhere (message, exception, values or scopes).</summary>
    public IReadOnlyList<LogEntry> EntriesContaining(string text) => [.. _entries.Where(e => e.AllText.Contains(text, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var pair in pairs)
                {
                    values[pair.Key] = pair.Value;
                }
            }

            var scopes = new Dictionary<string, object?>();
            provider._scopes.ForEachScope(
                (scope, into) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> scopePairs)
                    {
                        foreach (var pair in scopePairs)
                        {
                            into[pair.Key] = pair.Value;
                        }
                    }
                    else if (scope is not null)
                    {
                        into[scope.GetType().Name] = scope.ToString();
                    }
                },
                scopes);

            provider._entries.Enqueue(new LogEntry(category, eventId, logLevel, formatter(state, exception), exception, values, scopes));
        }
    }
}
