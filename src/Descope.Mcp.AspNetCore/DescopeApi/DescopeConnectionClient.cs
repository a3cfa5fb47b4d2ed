using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.Connections;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Descope.Mcp.AspNetCore.DescopeApi;

/// <summary>
/// Speaks Descope's outbound-token API over the resilient <see cref="ConnectionTokenDefaults.HttpClientName"/> client.
/// Requests go to the project's base URL only; every outcome other than a token becomes a
/// <see cref="ConnectionTokenException"/>.
/// </summary>
internal sealed class DescopeConnectionClient
{
    // Far above any real answer; a larger body is not a token answer and is not read into memory.
    private const int MaxAnswerBytes = 256 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly DescopeProject _project;
    private readonly ConnectionTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly ILogger<DescopeConnectionClient> _logger;

    public DescopeConnectionClient(
        IHttpClientFactory httpClientFactory,
        DescopeProject project,
        IOptions<DescopeMcpOptions> options,
        TimeProvider time,
        DescopeTelemetry telemetry,
        ILogger<DescopeConnectionClient> logger)
    {
        _telemetry = telemetry;
        _httpClientFactory = httpClientFactory;
        _project = project;
        _options = options.Value.Connections;
        _time = time;
        _logger = logger;
    }

    public async Task<ConnectionToken> FetchAsync(ConnectionFetch fetch, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var token = await FetchFromDescopeAsync(fetch, cancellationToken);
            _telemetry.ConnectionTokenFetched(fetch.AppId, startedAt, failure: null);
            return token;
        }
        catch (Exception ex) when (_telemetry.ConnectionTokenFetched(fetch.AppId, startedAt, ex))
        {
            throw;
        }
    }

    private async Task<ConnectionToken> FetchFromDescopeAsync(ConnectionFetch fetch, CancellationToken cancellationToken)
    {
        var path = DescopeConnectionApi.PathFor(fetch);
        var answer = await PostAsync(path, WriteTokenRequest(fetch), fetch.Credential, fetch.AppId, cancellationToken);
        if (!answer.IsSuccess)
        {
            var failure = Refusal(answer, fetch.AppId, fetch.Owner, fetch.Credential);
            if (failure.Failure == ConnectionTokenFailure.NotConnected && fetch.ResolveConnectUrl)
            {
                failure = await WithConnectUrlAsync(failure, fetch, cancellationToken);
            }

            throw failure;
        }

        var token = Read(answer, fetch.AppId, body => ReadToken(body, fetch));
        ConnectionsLog.TokenFetched(_logger, fetch.AppId, path, fetch.Credential);
        return token;
    }

    public async Task<Uri> GetConnectUrlAsync(ConnectUrlFetch fetch, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(DescopeConnectionApi.Connect, WriteConnectRequest(fetch), fetch.Credential, fetch.AppId, cancellationToken);
        if (!answer.IsSuccess)
        {
            throw Refusal(answer, fetch.AppId, ConnectionOwner.User, fetch.Credential);
        }

        return Read(answer, fetch.AppId, ReadConnectUrl);
    }

    private async Task<ConnectionTokenException> WithConnectUrlAsync(ConnectionTokenException notConnected, ConnectionFetch fetch, CancellationToken cancellationToken)
    {
        Uri url;
        try
        {
            url = await GetConnectUrlAsync(
                new ConnectUrlFetch(fetch.AppId, fetch.TenantId, fetch.Scopes, RedirectUrl(null), fetch.Credential),
                cancellationToken);
        }
        catch (ConnectionTokenException ex)
        {
            ConnectionsLog.ConnectUrlUnavailable(_logger, fetch.AppId, ex.Failure);
            return notConnected;
        }

        return new ConnectionTokenException(
            ConnectionTokenFailure.NotConnected,
            fetch.AppId,
            ConnectionTokenMessages.NotConnected(fetch.AppId, fetch.Owner, url))
        {
            StatusCode = notConnected.StatusCode,
            ErrorCode = notConnected.ErrorCode,
            ConnectUrl = url,
            ConnectScopes = fetch.Scopes,
            ConnectTenantId = fetch.TenantId,
        };
    }

    public Uri? RedirectUrl(Uri? requested) =>
        requested ?? (Uri.TryCreate(_options.ConnectRedirectUrl, UriKind.Absolute, out var configured) ? configured : null);

    private async Task<DescopeAnswer> PostAsync(string path, byte[] body, DescopeCredential credential, string appId, CancellationToken cancellationToken)
    {
        // The URL is built from the validated base URL only: the caller's token goes to Descope and nowhere else.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_project.BaseUrl, path))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _project.ProjectId + ":" + credential.Secret);
        request.Options.Set(ConnectionResilience.DeadlineKey, _time.GetUtcNow() + _options.TotalTimeout);

        try
        {
            var client = _httpClientFactory.CreateClient(ConnectionTokenDefaults.HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var content = await ReadBoundedAsync(response.Content, cancellationToken);
            return new DescopeAnswer((int)response.StatusCode, content, ConnectionResilience.RetryAfter(response, _time));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            ConnectionsLog.DescopeUnreachable(_logger, appId, ex);
            throw Unavailable(appId, ex, _options.CircuitBreakerBreakDuration);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException)
        {
            ConnectionsLog.DescopeUnreachable(_logger, appId, ex);
            throw Unavailable(appId, ex, retryAfter: null);
        }
    }

    private T Read<T>(DescopeAnswer answer, string appId, Func<byte[], T> read)
    {
        try
        {
            return read(answer.Body ?? throw new FormatException("The answer is larger than any token answer."));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            ConnectionsLog.AnswerUnreadable(_logger, appId, answer.Status, ex);
            throw Unavailable(appId, ex, retryAfter: null);
        }
    }

    private ConnectionTokenException Refusal(DescopeAnswer answer, string appId, ConnectionOwner owner, DescopeCredential credential)
    {
        var errorCode = ReadErrorCode(answer.Body);
        var failure = answer.Status switch
        {
            _ when answer.Status == 404 || errorCode == DescopeConnectionApi.NotConnectedErrorCode => ConnectionTokenFailure.NotConnected,
            401 or 403 => ConnectionTokenFailure.PolicyDenied,
            429 => ConnectionTokenFailure.RateLimited,
            >= 400 and < 500 and not 408 => ConnectionTokenFailure.InvalidRequest,
            _ => ConnectionTokenFailure.Unavailable,
        };
        ConnectionsLog.TokenRefused(_logger, appId, failure, answer.Status, errorCode);

        var message = failure switch
        {
            ConnectionTokenFailure.NotConnected => ConnectionTokenMessages.NotConnected(appId, owner, connectUrl: null),
            ConnectionTokenFailure.PolicyDenied when credential.LacksTokenFetchScope => ConnectionTokenMessages.MissingTokenFetchScope(appId),
            ConnectionTokenFailure.PolicyDenied => ConnectionTokenMessages.PolicyDenied(appId),
            ConnectionTokenFailure.RateLimited => ConnectionTokenMessages.RateLimited(appId, answer.RetryAfter),
            ConnectionTokenFailure.InvalidRequest => ConnectionTokenMessages.InvalidRequest(appId, errorCode),
            _ => ConnectionTokenMessages.Unavailable(appId),
        };
        return new ConnectionTokenException(failure, appId, message)
        {
            StatusCode = answer.Status,
            ErrorCode = errorCode,
            RetryAfter = answer.RetryAfter,
        };
    }

    private static ConnectionTokenException Unavailable(string appId, Exception cause, TimeSpan? retryAfter) =>
        new(ConnectionTokenFailure.Unavailable, appId, ConnectionTokenMessages.Unavailable(appId), cause) { RetryAfter = retryAfter };

    private static byte[] WriteTokenRequest(ConnectionFetch fetch) => WriteJson(writer =>
    {
        writer.WriteString("appId", fetch.AppId);
        if (fetch.UserId is not null)
        {
            writer.WriteString("userId", fetch.UserId);
        }

        if (fetch.TenantId is not null)
        {
            writer.WriteString("tenantId", fetch.TenantId);
        }

        if (fetch.ByScopes)
        {
            WriteScopes(writer, fetch.Scopes);
        }

        writer.WriteStartObject("options");
        writer.WriteBoolean("withRefreshToken", fetch.WithRefreshToken);
        writer.WriteBoolean("forceRefresh", fetch.ForceRefresh);
        writer.WriteEndObject();
    });

    private static byte[] WriteConnectRequest(ConnectUrlFetch fetch) => WriteJson(writer =>
    {
        writer.WriteString("appId", fetch.AppId);
        if (fetch.TenantId is not null)
        {
            writer.WriteString("tenantId", fetch.TenantId);
        }

        writer.WriteStartObject("options");
        if (fetch.RedirectUrl is not null)
        {
            writer.WriteString("redirectUrl", fetch.RedirectUrl.AbsoluteUri);
        }

        if (fetch.Scopes.Count > 0)
        {
            WriteScopes(writer, fetch.Scopes);
        }

        writer.WriteEndObject();
    });

    private static void WriteScopes(Utf8JsonWriter writer, IReadOnlyList<string> scopes)
    {
        writer.WriteStartArray("scopes");
        foreach (var scope in scopes)
        {
            writer.WriteStringValue(scope);
        }

        writer.WriteEndArray();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ConnectionToken ReadToken(byte[] body, ConnectionFetch fetch)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("token", out var token) || token.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The answer has no 'token' object.");
        }

        var accessToken = String(token, "accessToken");
        if (string.IsNullOrEmpty(accessToken))
        {
            throw new FormatException("The token has no 'accessToken'.");
        }

        return new ConnectionToken
        {
            AccessToken = accessToken,
            TokenType = String(token, "accessTokenType"),
            ExpiresAt = token.TryGetProperty("accessTokenExpiry", out var expiry) ? DescopeTimestamp.Read(expiry) : null,
            Scopes = token.TryGetProperty("scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array
                ? [.. scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)]
                : [],
            AppId = String(token, "appId") ?? fetch.AppId,
            UserId = String(token, "userId") ?? fetch.UserId,
            TenantId = String(token, "tenantId") ?? fetch.TenantId,
            HasRefreshToken = token.TryGetProperty("hasRefreshToken", out var has) && has.ValueKind == JsonValueKind.True,
            RefreshToken = fetch.WithRefreshToken ? String(token, "refreshToken") : null,
            Id = String(token, "id"),
            GrantedBy = String(token, "grantedBy"),
        };
    }

    private static Uri ReadConnectUrl(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var url = document.RootElement.ValueKind == JsonValueKind.Object ? String(document.RootElement, "url") : null;
        return Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp)
            ? parsed
            : throw new FormatException("The answer has no absolute 'url'.");
    }

    /// <summary>Descope's <c>errorCode</c>, only when it looks like one (it ends up in messages and logs).</summary>
    internal static string? ReadErrorCode(byte[]? body)
    {
        if (body is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var code = document.RootElement.ValueKind == JsonValueKind.Object ? String(document.RootElement, "errorCode") : null;
            return code is { Length: > 0 and <= 32 } && code.All(char.IsAsciiLetterOrDigit) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string member of a JSON object, or <see langword="null"/> when it is missing or not a string.</summary>
    internal static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Reads at most <see cref="MaxAnswerBytes"/>; <see langword="null"/> when the body is larger.</summary>
    internal static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private readonly record struct DescopeAnswer(int Status, byte[]? Body, TimeSpan? RetryAfter)
    {
        public bool IsSuccess => Status is >= 200 and < 300;
    }
}
