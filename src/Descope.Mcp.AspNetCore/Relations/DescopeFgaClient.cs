using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Configuration;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Speaks Descope's FGA check (<c>POST /v1/mgmt/fga/check</c>) over the resilient
/// <see cref="DescopeMcpDefaults.FgaHttpClientName"/> client, with the management key, at
/// <see cref="FgaOptions.BaseUrl"/> or the project's base URL. Every outcome other than an answer for each tuple becomes a
/// <see cref="RelationCheckException"/>; an answer is read strictly (one per tuple, in order, echoing the tuple when it
/// echoes one), so a confused answer is never taken for "allowed".
/// </summary>
internal sealed partial class DescopeFgaClient
{
    public const string CheckPath = "/v1/mgmt/fga/check";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly DescopeProject _project;
    private readonly DescopeMcpOptions _options;
    private readonly TimeProvider _time;
    private readonly DescopeTelemetry _telemetry;
    private readonly ILogger<DescopeFgaClient> _logger;
    private readonly Uri _checkUrl;

    public DescopeFgaClient(
        IHttpClientFactory httpClientFactory,
        DescopeProject project,
        IOptions<DescopeMcpOptions> options,
        TimeProvider time,
        DescopeTelemetry telemetry,
        ILogger<DescopeFgaClient> logger)
    {
        _httpClientFactory = httpClientFactory;
        _project = project;
        _options = options.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        OriginUrl = string.IsNullOrEmpty(_options.Fga.BaseUrl) ? project.BaseUrl.AbsoluteUri : _options.Fga.BaseUrl;
        _checkUrl = new Uri(OriginUrl.TrimEnd('/') + CheckPath);
    }

    /// <summary>Where checks go: the FGA base URL when one is configured, else the project's.</summary>
    public string OriginUrl { get; }

    /// <summary>Asks Descope about <paramref name="tuples"/> (target types filled in) in one request.</summary>
    /// <returns>The answers, one per tuple, in order.</returns>
    public async Task<RelationCacheEntry[]> CheckAsync(
        IReadOnlyList<RelationTuple> tuples, IReadOnlyDictionary<string, JsonElement>? context, CancellationToken cancellationToken)
    {
        using var activity = DescopeTelemetry.StartFgaCheck(tuples.Count);
        try
        {
            var answers = await AskAsync(tuples, context, cancellationToken);
            DescopeTelemetry.FgaCheckEnded(activity, failure: null);
            return answers;
        }
        catch (Exception ex) when (DescopeTelemetry.FgaCheckEnded(activity, ex))
        {
            throw;
        }
    }

    private async Task<RelationCacheEntry[]> AskAsync(
        IReadOnlyList<RelationTuple> tuples, IReadOnlyDictionary<string, JsonElement>? context, CancellationToken cancellationToken)
    {
        var managementKey = _options.ManagementKey;
        if (string.IsNullOrEmpty(managementKey))
        {
            throw new InvalidOperationException(
                "Relations are checked with Descope FGA, which takes the management key: configure Descope:ManagementKey.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _checkUrl)
        {
            Content = new ByteArrayContent(WriteRequest(tuples, context)) { Headers = { ContentType = Json } },
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _project.ProjectId + ":" + managementKey);
        if (!string.IsNullOrEmpty(_options.Fga.BaseUrl))
        {
            // What Descope's SDKs send to the FGA cache service along with the credential.
            request.Headers.TryAddWithoutValidation("x-descope-project-id", _project.ProjectId);
        }

        request.Options.Set(ConnectionResilience.DeadlineKey, _time.GetUtcNow() + _options.Fga.TotalTimeout);

        int status;
        byte[]? body;
        try
        {
            var client = _httpClientFactory.CreateClient(DescopeMcpDefaults.FgaHttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            body = await DescopeConnectionClient.ReadBoundedAsync(response.Content, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException or IOException)
        {
            Log.DescopeUnreachable(_logger, tuples.Count, ex);
            throw new RelationCheckException(RelationCheckFailure.Unavailable, Unavailable, ex);
        }

        if (status is < 200 or >= 300)
        {
            var errorCode = DescopeConnectionClient.ReadErrorCode(body);
            var failure = status is >= 400 and < 500 and not 408 and not 429 ? RelationCheckFailure.Rejected : RelationCheckFailure.Unavailable;
            Log.CheckRefused(_logger, tuples.Count, failure, status, errorCode);
            throw new RelationCheckException(failure, failure == RelationCheckFailure.Rejected ? Rejected : Unavailable)
            {
                StatusCode = status,
                ErrorCode = errorCode,
            };
        }

        try
        {
            return ReadAnswer(body ?? throw new FormatException("The answer is larger than any check answer."), tuples);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            Log.AnswerUnreadable(_logger, status, ex);
            throw new RelationCheckException(RelationCheckFailure.Unavailable, Unavailable, ex) { StatusCode = status };
        }
    }

    private const string Unavailable = "Descope could not be asked whether the caller has the relation; try again later.";
    private const string Rejected = "Descope refused to check the relation: the server's FGA settings or its management key need attention.";

    /// <summary><c>{"tuples":[{resource, resourceType, relation, target, targetType}], "context"?: {...}}</c></summary>
    internal static byte[] WriteRequest(IReadOnlyList<RelationTuple> tuples, IReadOnlyDictionary<string, JsonElement>? context)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("tuples");
            foreach (var tuple in tuples)
            {
                writer.WriteStartObject();
                writer.WriteString("resource", tuple.Resource);
                writer.WriteString("resourceType", tuple.ResourceType);
                writer.WriteString("relation", tuple.Relation);
                writer.WriteString("target", tuple.Target);
                writer.WriteString("targetType", tuple.TargetType);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            // As Descope's SDKs do: no context member at all when there is none.
            if (context is { Count: > 0 })
            {
                writer.WriteStartObject("context");
                foreach (var (name, value) in context)
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>{"tuples":[{"allowed":true,"tuple":{...},"info":{"direct":true}}]}</c>, one per tuple in request order. A missing
    /// <c>allowed</c> is <see langword="false"/> (protobuf JSON leaves false out); an echoed tuple, nested under
    /// <c>tuple</c> or flat, must name what was asked.
    /// </summary>
    internal static RelationCacheEntry[] ReadAnswer(byte[] body, IReadOnlyList<RelationTuple> tuples)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("tuples", out var answers) || answers.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The answer has no 'tuples' array.");
        }

        if (answers.GetArrayLength() != tuples.Count)
        {
            throw new FormatException("The answer has another number of tuples than the request.");
        }

        var entries = new RelationCacheEntry[tuples.Count];
        var index = 0;
        foreach (var answer in answers.EnumerateArray())
        {
            if (answer.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("An answer is not an object.");
            }

            var allowed = answer.TryGetProperty("allowed", out var value)
                ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new FormatException("'allowed' is not a boolean.")
                : false;
            var echo = answer.TryGetProperty("tuple", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : answer;
            if (!Echoes(echo, tuples[index]))
            {
                throw new FormatException("An answer names another tuple than the one asked in its place.");
            }

            bool? direct = answer.TryGetProperty("info", out var info) && info.ValueKind == JsonValueKind.Object
                && info.TryGetProperty("direct", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? d.GetBoolean()
                : null;
            entries[index++] = new RelationCacheEntry(allowed, direct);
        }

        return entries;
    }

    private static bool Echoes(JsonElement echo, RelationTuple asked) =>
        Same(echo, "resource", asked.Resource) && Same(echo, "resourceType", asked.ResourceType) && Same(echo, "relation", asked.Relation)
        && Same(echo, "target", asked.Target) && Same(echo, "targetType", asked.TargetType);

    // A member left out of the echo says nothing; one that is there must be the value asked.
    private static bool Same(JsonElement echo, string name, string? asked) =>
        !echo.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.String && value.ValueEquals(asked));

    private static partial class Log
    {
        [LoggerMessage(300, LogLevel.Warning, "Descope could not be reached to check {Count} relations; the check is refused.")]
        public static partial void DescopeUnreachable(ILogger logger, int count, Exception exception);

        [LoggerMessage(301, LogLevel.Warning, "Descope refused to check {Count} relations: {Failure} (HTTP {StatusCode}, error code {ErrorCode}); the check is refused.")]
        public static partial void CheckRefused(ILogger logger, int count, RelationCheckFailure failure, int statusCode, string? errorCode);

        [LoggerMessage(302, LogLevel.Warning, "Descope's answer to a relation check (HTTP {StatusCode}) could not be read; the check is refused.")]
        public static partial void AnswerUnreadable(ILogger logger, int statusCode, Exception exception);
    }
}
