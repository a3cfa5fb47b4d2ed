using System.Collections.Concurrent;
using Descope.Mcp.AspNetCore.Testing.OAuth;

namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>
/// Requests a page shows and a person has yet to decide, kept on the server under a one-time random ID so the form
/// carries nothing but that ID: what the request was (client, redirect URI, PKCE challenge, ...) is never read back
/// from the browser.
/// </summary>
internal sealed class PendingRequests<T>(TimeProvider time)
    where T : class
{
    /// <summary>How long a page stays usable; long enough to read it, short enough that stale tabs fail.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keeps a request and returns the ID its page will post back.</summary>
    public string Add(T request)
    {
        var now = time.GetUtcNow();
        foreach (var (id, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(id, out _);
            }
        }

        var newId = OAuthStore.NewSecret();
        _entries[newId] = new Entry(request, now + Lifetime);
        return newId;
    }

    /// <summary>The request an ID stands for, while it is neither expired nor decided; it stays pending.</summary>
    public T? Find(string? id) =>
        id is not null && _entries.TryGetValue(id, out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry.Request : null;

    /// <summary>Takes the request out, once: a second caller with the same ID, even a concurrent one, gets false.</summary>
    public bool TryTake(string id) => _entries.TryRemove(id, out var entry) && entry.ExpiresAt > time.GetUtcNow();

    private sealed record Entry(T Request, DateTimeOffset ExpiresAt);
}
