using System.Buffers.Text;
using System.Security.Cryptography;
using Descope.Mcp.AspNetCore.Configuration;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Elicitation;

/// <summary>
/// The URL elicitations this server instance can complete: elicitation ID to the MCP session that received it, and the
/// URL under this server's own address where the connect page returns the user.
/// </summary>
/// <remarks>
/// An ID is 256 random bits, so nobody can guess a completion URL, and it is taken once. An entry expires after
/// <see cref="Lifetime"/> and holds its session weakly, so a closed session is never kept alive. Each caller has at most
/// <see cref="CapacityPerCaller"/> pending: a caller's next one replaces its oldest, so no caller can hold more and the
/// one a user just received always works (the replaced one was most likely abandoned). At most <see cref="Capacity"/>
/// are pending in all; beyond that an elicitation goes out without a completion. Registrations are rare (a tool meeting
/// an app not connected yet), so one lock serves.
/// </remarks>
internal sealed class UrlElicitationCompletions
{
    /// <summary>How long a user has to finish connecting before the completion URL stops working.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public const int Capacity = 10_000;

    public const int CapacityPerCaller = 5;

    private const string PathSegment = "/elicitations/";
    private const string CompleteSuffix = "/complete";

    // Base64url of 32 bytes; anything else in the path is not an ID this server made.
    private const int IdLength = 43;

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    // Each caller's pending IDs, oldest first; never longer than CapacityPerCaller.
    private readonly Dictionary<string, List<string>> _byCaller = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly string _pathPrefix;
    private readonly string _urlPrefix;

    public UrlElicitationCompletions(IOptions<DescopeMcpOptions> options, TimeProvider time)
    {
        _time = time;

        // From configuration, never from a request: the URL handed to Descope is this server's canonical address.
        var mcpServerUrl = new Uri(options.Value.McpServerUrl!);
        _pathPrefix = mcpServerUrl.AbsolutePath.TrimEnd('/') + PathSegment;
        _urlPrefix = DescopeUrls.Origin(mcpServerUrl) + _pathPrefix;
    }

    /// <summary>A new elicitation ID: 256 random bits, base64url.</summary>
    public static string NewElicitationId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Remembers a new elicitation for the session, replacing the caller's oldest when it has
    /// <see cref="CapacityPerCaller"/> pending; <see langword="false"/> when <see cref="Capacity"/> are pending in all.
    /// </summary>
    /// <param name="session">The session to notify when the user is back.</param>
    /// <param name="caller">Who the elicitation is for (their user ID, or the session when there is none).</param>
    /// <param name="elicitationId">The new elicitation's ID.</param>
    public bool TryRegister(McpServer session, string caller, out string elicitationId)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_byCaller.TryGetValue(caller, out var own) && RemoveOver(own, now) >= CapacityPerCaller)
            {
                _pending.Remove(own[0]);
                own.RemoveAt(0);
            }

            if (_pending.Count >= Capacity)
            {
                RemoveOver(now);
                if (_pending.Count >= Capacity)
                {
                    elicitationId = "";
                    return false;
                }
            }

            elicitationId = NewElicitationId();
            _pending[elicitationId] = new Pending(new WeakReference<McpServer>(session), caller, now + Lifetime);
            if (!_byCaller.TryGetValue(caller, out own))
            {
                _byCaller[caller] = own = new List<string>(1);
            }

            own.Add(elicitationId);
            return true;
        }
    }

    /// <summary>Where the connect page returns the user to complete the elicitation.</summary>
    public Uri CompletionUrl(string elicitationId) => new(_urlPrefix + elicitationId + CompleteSuffix);

    /// <summary>
    /// Takes the elicitation's session: once only, before it expires, while the session lives. Otherwise (unknown, used,
    /// expired, session gone) <see langword="null"/>, all alike.
    /// </summary>
    public McpServer? Take(string elicitationId)
    {
        var pending = Remove(elicitationId);
        return pending is not null && !pending.IsOver(_time.GetUtcNow()) && pending.Session.TryGetTarget(out var session) ? session : null;
    }

    /// <summary>Drops an elicitation that was not handed out after all.</summary>
    public void Forget(string elicitationId) => Remove(elicitationId);

    private Pending? Remove(string elicitationId)
    {
        lock (_lock)
        {
            if (!_pending.Remove(elicitationId, out var pending))
            {
                return null;
            }

            if (_byCaller.TryGetValue(pending.Caller, out var own) && own.Remove(elicitationId) && own.Count == 0)
            {
                _byCaller.Remove(pending.Caller);
            }

            return pending;
        }
    }

    /// <summary>
    /// Whether the path is a completion URL's (<c>&lt;MCP path&gt;/elicitations/{id}/complete</c>), and its ID if the ID
    /// has the shape of one this server makes.
    /// </summary>
    public bool IsCompletionPath(string path, out string? elicitationId)
    {
        elicitationId = null;
        if (!path.StartsWith(_pathPrefix, StringComparison.Ordinal) || !path.EndsWith(CompleteSuffix, StringComparison.Ordinal)
            || path.Length < _pathPrefix.Length + CompleteSuffix.Length)
        {
            return false;
        }

        var id = path.AsSpan(_pathPrefix.Length, path.Length - _pathPrefix.Length - CompleteSuffix.Length);
        if (id.Length == IdLength && Base64Url.IsValid(id, out var decodedLength) && decodedLength == 32)
        {
            elicitationId = id.ToString();
        }

        return true;
    }

    /// <summary>Drops every expired entry and every entry whose session is gone; called under the lock.</summary>
    private void RemoveOver(DateTimeOffset now)
    {
        foreach (var (caller, own) in _byCaller)
        {
            if (RemoveOver(own, now) == 0)
            {
                _byCaller.Remove(caller);
            }
        }
    }

    /// <summary>Drops a caller's entries that can never complete; returns how many it still has.</summary>
    private int RemoveOver(List<string> own, DateTimeOffset now)
    {
        own.RemoveAll(id => _pending[id].IsOver(now) && _pending.Remove(id));
        return own.Count;
    }

    private sealed record Pending(WeakReference<McpServer> Session, string Caller, DateTimeOffset ExpiresAt)
    {
        /// <summary>Expired, or its session is gone: it can never complete.</summary>
        public bool IsOver(DateTimeOffset now) => now >= ExpiresAt || !Session.TryGetTarget(out _);
    }
}
