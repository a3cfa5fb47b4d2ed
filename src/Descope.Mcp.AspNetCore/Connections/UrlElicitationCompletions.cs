using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Descope.Mcp.AspNetCore.Descope;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Connections;

/// <summary>
/// The URL elicitations this server instance can complete: elicitation ID to the MCP session that received it, and the
/// URL under this server's own address where the connect page returns the user.
/// </summary>
/// <remarks>
/// An ID is 256 random bits, so nobody can guess a completion URL, and it is taken once. An entry expires after
/// <see cref="Lifetime"/> and holds its session weakly, so a closed session is never kept alive. About
/// <see cref="Capacity"/> entries may be pending; beyond that an elicitation goes out without a completion.
/// </remarks>
internal sealed class UrlElicitationCompletions
{
    /// <summary>How long a user has to finish connecting before the completion URL stops working.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public const int Capacity = 10_000;

    private const string PathSegment = "/elicitations/";
    private const string CompleteSuffix = "/complete";

    // Base64url of 32 bytes; anything else in the path is not an ID this server made.
    private const int IdLength = 43;

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
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

    /// <summary>Remembers a new elicitation for the session; <see langword="false"/> when too many are pending.</summary>
    public bool TryRegister(McpServer session, out string elicitationId)
    {
        var now = _time.GetUtcNow();
        if (_pending.Count >= Capacity)
        {
            RemoveExpired(now);
            if (_pending.Count >= Capacity)
            {
                elicitationId = "";
                return false;
            }
        }

        elicitationId = NewElicitationId();
        _pending[elicitationId] = new Pending(new WeakReference<McpServer>(session), now + Lifetime);
        return true;
    }

    /// <summary>Where the connect page returns the user to complete the elicitation.</summary>
    public Uri CompletionUrl(string elicitationId) => new(_urlPrefix + elicitationId + CompleteSuffix);

    /// <summary>
    /// Takes the elicitation's session: once only, before it expires, while the session lives. Otherwise (unknown, used,
    /// expired, session gone) <see langword="null"/>, all alike.
    /// </summary>
    public McpServer? Take(string elicitationId) =>
        _pending.TryRemove(elicitationId, out var pending) && _time.GetUtcNow() < pending.ExpiresAt && pending.Session.TryGetTarget(out var session)
            ? session
            : null;

    /// <summary>Drops an elicitation that was not handed out after all.</summary>
    public void Forget(string elicitationId) => _pending.TryRemove(elicitationId, out _);

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

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var (id, pending) in _pending)
        {
            if (now >= pending.ExpiresAt || !pending.Session.TryGetTarget(out _))
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    private sealed record Pending(WeakReference<McpServer> Session, DateTimeOffset ExpiresAt);
}
