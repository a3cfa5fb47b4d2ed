using System.Collections.Concurrent;

namespace Descope.Mcp.AspNetCore.Testing.OAuth;

/// <summary>
/// The authority's token exchange (RFC 8693) at Descope's <c>/oauth2/v1/apps/token</c>: its policy (users and
/// clients that are refused) and a record of the requests it received.
/// </summary>
public sealed class TestTokenExchange
{
    /// <summary>The path of the token exchange endpoint, relative to the authority's base URL.</summary>
    public const string Path = "/oauth2/v1/apps/token";

    private readonly ConcurrentQueue<TestTokenExchangeRequest> _requests = new();
    private readonly ConcurrentDictionary<string, bool> _deniedUsers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _deniedClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unknownAudiences = new(StringComparer.Ordinal);

    /// <summary>Every token exchange request received, in order.</summary>
    public IReadOnlyList<TestTokenExchangeRequest> Requests => [.. _requests];

    /// <summary>Refuses exchanges of this user's tokens with <c>access_denied</c>.</summary>
    /// <param name="userId">The user's <c>sub</c>.</param>
    public void DenyUser(string userId) => _deniedUsers[userId] = true;

    /// <summary>Refuses exchanges by this client (the MCP server's client) with <c>access_denied</c>.</summary>
    /// <param name="clientId">The client ID.</param>
    public void DenyClient(string clientId) => _deniedClients[clientId] = true;

    /// <summary>Refuses exchanges for this audience or resource with <c>invalid_target</c>.</summary>
    /// <param name="audience">The audience or resource.</param>
    public void RejectAudience(string audience) => _unknownAudiences[audience] = true;

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    internal bool IsUserDenied(string userId) => _deniedUsers.ContainsKey(userId);

    internal bool IsClientDenied(string clientId) => _deniedClients.ContainsKey(clientId);

    internal bool IsAudienceRejected(string audience) => _unknownAudiences.ContainsKey(audience);

    internal void Record(TestTokenExchangeRequest request) => _requests.Enqueue(request);
}
