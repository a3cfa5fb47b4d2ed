using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Callers;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Connections;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Internal;
using Descope.Mcp.AspNetCore.TokenCache;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Descope.Mcp.AspNetCore.TokenExchange;

/// <summary>
/// The <see cref="IDescopeTokenExchange"/>: exchanges the current call's token (see <see cref="McpCallerAccessor"/>) at
/// Descope's token endpoint, authenticated with <c>client_secret_basic</c>, over the connection tokens' resilient
/// client, and caches the result in <see cref="HybridCache"/> like connection tokens (encrypted in the second level).
/// </summary>
internal sealed class DescopeTokenExchange : IDescopeTokenExchange
{
    internal const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    internal const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    private static readonly string[] Tags = [ConnectionTokenDefaults.CacheTag];

    private readonly McpCallerAccessor _callers;
    private readonly HybridCache _cache;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly DescopeProject _project;
    private readonly TokenExchangeOptions _options;
    private readonly ConnectionTokenOptions _connections;
    private readonly bool _refuseBoundTokens;
    private readonly TimeProvider _time;
    private readonly ILogger<DescopeTokenExchange> _logger;

    public DescopeTokenExchange(
        McpCallerAccessor callers,
        HybridCache cache,
        IHttpClientFactory httpClientFactory,
        DescopeProject project,
        IOptions<DescopeMcpOptions> options,
        TimeProvider time,
        ILogger<DescopeTokenExchange> logger)
    {
        _callers = callers;
        _cache = cache;
        _httpClientFactory = httpClientFactory;
        _project = project;
        _options = options.Value.TokenExchange;
        _connections = options.Value.Connections;
        _refuseBoundTokens = options.Value.DPoP.BoundTokenForwarding == DPoPBoundTokenForwarding.Refuse;
        _time = time;
        _logger = logger;
    }

    public Task<ExchangedToken> ExchangeAsync(string audience, IEnumerable<string>? scopes = null, CancellationToken cancellationToken = default) =>
        ExchangeAsync(new TokenExchangeRequest { Audience = audience, Scopes = scopes }, cancellationToken);

    public async Task<ExchangedToken> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Audience, nameof(request) + "." + nameof(request.Audience));
        if (request.Audience.Length > 2048 || request.Audience.Any(char.IsControl))
        {
            throw new ArgumentException("The audience must be at most 2048 characters without control characters.", nameof(request));
        }

        var scopes = ScopeSyntax.Normalize(request.Scopes, nameof(request) + "." + nameof(request.Scopes));
        if (string.IsNullOrEmpty(_options.ClientId) || string.IsNullOrEmpty(_options.ClientSecret))
        {
            throw new InvalidOperationException(
                "Token exchange needs the MCP server's own Descope client: set Descope:TokenExchange:ClientId and Descope:TokenExchange:ClientSecret.");
        }

        var lookup = await _callers.GetAsync(cancellationToken);
        if (lookup.IsRefused)
        {
            ConnectionsLog.CallerTokenRefused(_logger, request.Audience, lookup.Refused);
            throw lookup.Refused == DescopeTokenFailure.AuthorityUnavailable
                ? new TokenExchangeException(TokenExchangeFailure.Unavailable, request.Audience, TokenExchangeMessages.For(TokenExchangeFailure.Unavailable, request.Audience))
                : new TokenExchangeException(TokenExchangeFailure.InvalidGrant, request.Audience, TokenExchangeMessages.CallerTokenInvalid(request.Audience));
        }

        var caller = lookup.Caller
            ?? throw new InvalidOperationException(
                "Token exchange needs the current call's authenticated Descope caller. Call it from an MCP tool on a Descope-protected endpoint.");

        if (caller.IsDPoP && _refuseBoundTokens)
        {
            throw new TokenExchangeException(
                TokenExchangeFailure.DPoPBoundToken, request.Audience, TokenExchangeMessages.For(TokenExchangeFailure.DPoPBoundToken, request.Audience));
        }

        var exchange = new Exchange(request.Audience, scopes, caller.Token);
        if (_connections.CacheMaxLifetime <= TimeSpan.Zero)
        {
            return (await RequestAsync(exchange, key: string.Empty, cancellationToken)).Token;
        }

        var key = ConnectionTokenCacheKey.ForExchange(request.Audience, scopes, _options.ClientId, caller.Token, _project);
        return await GetCachedAsync(exchange, key, request.ForceRefresh, cancellationToken);
    }

    private async Task<ExchangedToken> GetCachedAsync(Exchange exchange, string key, bool skipRead, CancellationToken cancellationToken)
    {
        var fetched = false;
        var entryOptions = new HybridCacheEntryOptions
        {
            Expiration = _connections.CacheMaxLifetime,
            LocalCacheExpiration = _connections.CacheMaxLifetime,
            Flags = skipRead ? HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead : HybridCacheEntryFlags.None,
        };

        ExchangedTokenCacheEntry entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(
                key,
                async token =>
                {
                    var result = await RequestAsync(exchange, key, token);
                    fetched = true;
                    return result;
                },
                entryOptions,
                Tags,
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not TokenExchangeException)
        {
            ConnectionsLog.CacheFailed(_logger, exchange.Audience, ex);
            return (await RequestAsync(exchange, key, cancellationToken)).Token;
        }

        if (fetched || skipRead || (entry.RefreshAt > _time.GetUtcNow() && string.Equals(entry.CacheKey, key, StringComparison.Ordinal)))
        {
            return entry.Token;
        }

        // Stale, or unreadable (another key ring, tampering, moved from another key): asked for again.
        return await GetCachedAsync(exchange, key, skipRead: true, cancellationToken);
    }

    private async Task<ExchangedTokenCacheEntry> RequestAsync(Exchange exchange, string key, CancellationToken cancellationToken)
    {
        var (status, body) = await PostAsync(exchange, cancellationToken);
        if (status is < 200 or >= 300)
        {
            throw Refusal(exchange.Audience, status, body);
        }

        ExchangedToken token;
        try
        {
            token = ReadToken(body ?? throw new FormatException("The answer is larger than any token answer."), exchange);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            ConnectionsLog.ExchangeAnswerUnreadable(_logger, exchange.Audience, status, ex);
            throw Unavailable(exchange.Audience, ex);
        }

        ConnectionsLog.TokenExchanged(_logger, exchange.Audience);
        return new ExchangedTokenCacheEntry(token, _connections.CacheRefreshAt(_time.GetUtcNow(), token.ExpiresAt)) { CacheKey = key };
    }

    private async Task<(int Status, byte[]? Body)> PostAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", GrantType),
            new("subject_token", exchange.SubjectToken),
            new("subject_token_type", AccessTokenType),
            new(Uri.TryCreate(exchange.Audience, UriKind.Absolute, out _) ? "resource" : "audience", exchange.Audience),
        };
        if (exchange.Scopes.Count > 0)
        {
            fields.Add(new("scope", string.Join(' ', exchange.Scopes)));
        }

        // The URL is built from the validated base URL only: the caller's token goes to Descope and nowhere else.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_project.BaseUrl, _options.TokenEndpointPath))
        {
            Content = _options.BodyEncoding == TokenExchangeBodyEncoding.Form ? new FormUrlEncodedContent(fields) : JsonBody(fields),
        };

        // client_secret_basic (RFC 6749 §2.3.1): the ID and secret are form-encoded, then joined and Base64-encoded.
        var credentials = Uri.EscapeDataString(_options.ClientId!) + ":" + Uri.EscapeDataString(_options.ClientSecret!);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(ConnectionResilience.DeadlineKey, _time.GetUtcNow() + _connections.TotalTimeout);

        try
        {
            var client = _httpClientFactory.CreateClient(ConnectionTokenDefaults.HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return ((int)response.StatusCode, await DescopeConnectionClient.ReadBoundedAsync(response.Content, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException or IOException)
        {
            ConnectionsLog.DescopeUnreachable(_logger, exchange.Audience, ex);
            throw Unavailable(exchange.Audience, ex);
        }
    }

    private static ByteArrayContent JsonBody(List<KeyValuePair<string, string>> fields)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return new ByteArrayContent(stream.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }

    private ExchangedToken ReadToken(byte[] body, Exchange exchange)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var accessToken = DescopeConnectionClient.String(root, "access_token");
        if (string.IsNullOrEmpty(accessToken))
        {
            throw new FormatException("The answer has no access_token.");
        }

        DateTimeOffset? expiresAt = root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind == JsonValueKind.Number
            && expiresIn.TryGetInt64(out var seconds) && seconds > 0
                ? _time.GetUtcNow().AddSeconds(Math.Min(seconds, TimeSpan.FromDays(366).TotalSeconds))
                : null;
        var scope = DescopeConnectionClient.String(root, "scope");
        return new ExchangedToken
        {
            AccessToken = accessToken,
            TokenType = DescopeConnectionClient.String(root, "token_type") ?? "Bearer",
            ExpiresAt = expiresAt,
            Scopes = scope is null ? exchange.Scopes : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            IssuedTokenType = DescopeConnectionClient.String(root, "issued_token_type"),
            Audience = exchange.Audience,
        };
    }

    private TokenExchangeException Refusal(string audience, int status, byte[]? body)
    {
        string? error = null;
        try
        {
            if (body is { Length: > 0 })
            {
                using var document = JsonDocument.Parse(body);
                error = document.RootElement.ValueKind == JsonValueKind.Object ? DescopeConnectionClient.String(document.RootElement, "error") : null;
            }
        }
        catch (JsonException)
        {
        }

        var failure = error switch
        {
            "invalid_grant" => TokenExchangeFailure.InvalidGrant,
            "access_denied" => TokenExchangeFailure.AccessDenied,
            "invalid_target" => TokenExchangeFailure.InvalidTarget,
            "invalid_client" or "unauthorized_client" => TokenExchangeFailure.InvalidClient,
            _ when status is 401 => TokenExchangeFailure.InvalidClient,
            _ when status is 403 => TokenExchangeFailure.AccessDenied,
            _ when status is >= 400 and < 500 and not 408 and not 429 => TokenExchangeFailure.InvalidRequest,
            _ => TokenExchangeFailure.Unavailable,
        };

        // Only a known OAuth error code is logged or kept: the body is Descope's and is not repeated.
        var errorCode = error is not null && error.Length <= 64 && error.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? error : null;
        ConnectionsLog.ExchangeRefused(_logger, audience, failure, status, errorCode);
        return new TokenExchangeException(failure, audience, TokenExchangeMessages.For(failure, audience)) { StatusCode = status, ErrorCode = errorCode };
    }

    private static TokenExchangeException Unavailable(string audience, Exception cause) =>
        new(TokenExchangeFailure.Unavailable, audience, TokenExchangeMessages.For(TokenExchangeFailure.Unavailable, audience), cause);

    private sealed record Exchange(string Audience, IReadOnlyList<string> Scopes, string SubjectToken);
}
