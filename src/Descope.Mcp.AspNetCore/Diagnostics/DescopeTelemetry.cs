using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using Descope.Mcp.AspNetCore.Authentication.DPoP;
using Descope.Mcp.AspNetCore.DescopeApi;
using Descope.Mcp.AspNetCore.Gate;
using Microsoft.Extensions.Logging;
using static Descope.Mcp.AspNetCore.Diagnostics.DescopeTelemetryTags;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// The library's traces, metrics and audit events, in one place: one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/> named <c>Descope.Mcp.AspNetCore</c>. Every method checks for a listener before it builds tags,
/// so with nothing listening the request path pays a branch per call.
/// </summary>
internal sealed class DescopeTelemetry : IDisposable
{
    /// <summary>
    /// How long the DPoP refusals of one reason after the first are counted before one audit event sums them up: a
    /// refusal needs no credential, so a client must not be able to write a log line per request.
    /// </summary>
    internal static readonly TimeSpan DPoPRefusalLogInterval = TimeSpan.FromSeconds(10);

    public static readonly ActivitySource ActivitySource = new(
        DescopeMcpDefaults.ActivitySourceName, typeof(DescopeTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Counter<long> _tokenValidations;
    private readonly Counter<long> _authorizationDecisions;
    private readonly Counter<long> _connectionTokenRequests;
    private readonly Histogram<double> _connectionTokenDuration;
    private readonly Counter<long> _signingKeysLoads;
    private readonly Counter<long> _dpopProofs;
    private readonly Counter<long> _fgaChecks;
    private readonly ILogger _audit;
    private readonly RepeatedEventLog _dpopRefusals;

    public DescopeTelemetry(IMeterFactory meterFactory, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var meter = meterFactory.Create(DescopeMcpDefaults.MeterName);
        _tokenValidations = meter.CreateCounter<long>(
            TokenValidations, "{validation}", "Requests with a Descope access token, by outcome.");
        _authorizationDecisions = meter.CreateCounter<long>(
            AuthorizationDecisions, "{decision}", "Authorization decisions on MCP primitives, by primitive kind and decision.");
        _connectionTokenRequests = meter.CreateCounter<long>(
            ConnectionTokenRequests, "{request}", "Connection token requests, by app ID, cache result and outcome.");
        _connectionTokenDuration = meter.CreateHistogram<double>(
            ConnectionTokenDuration, "s", "Duration of connection token calls to Descope.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _signingKeysLoads = meter.CreateCounter<long>(
            SigningKeysLoads, "{load}", "Loads of the Descope discovery document and signing keys, by outcome.");
        _dpopProofs = meter.CreateCounter<long>(
            DPoPProofs, "{proof}", "DPoP proofs presented with access tokens, by outcome: valid, or why they were refused.");
        _fgaChecks = meter.CreateCounter<long>(
            FgaChecks, "{check}", "Relation checks (one per tuple), by outcome (allowed, denied, error) and cache result (hit, miss).");
        _audit = loggerFactory.CreateLogger(DescopeMcpDefaults.AuditLogCategory);
        _dpopRefusals = new RepeatedEventLog(
            Enum.GetValues<DPoPProofFailure>().Max(f => (int)f) + 1, DPoPRefusalLogInterval, time, SummarizeDPoPRefusals);
    }

    /// <summary>Starts the activity of one load of the discovery document and key set.</summary>
    public static Activity? StartSigningKeysLoad(bool onDemand) =>
        ActivitySource.HasListeners()
            ? ActivitySource.StartActivity(SigningKeysLoadActivity)?.SetTag(Trigger, onDemand ? "unknown_key" : "scheduled")
            : null;

    /// <summary>Records the end of a load; <paramref name="failure"/> is <see langword="null"/> when it succeeded.</summary>
    public void SigningKeysLoaded(Activity? activity, Exception? failure)
    {
        var outcome = failure is null ? TelemetryValues.Success : TelemetryValues.Failure;
        if (_signingKeysLoads.Enabled)
        {
            _signingKeysLoads.Add(1, new KeyValuePair<string, object?>(Outcome, outcome));
        }

        End(activity, outcome, failed: failure is not null, failure?.GetType().Name);
    }

    /// <summary>Starts the activity of a token validation that does real work (parsing, signature, key reload).</summary>
    public static Activity? StartTokenValidation() =>
        ActivitySource.HasListeners() ? ActivitySource.StartActivity(TokenValidationActivity) : null;

    /// <summary>Records the outcome of a token validation: valid, or the reason it failed.</summary>
    public void TokenValidated(Activity? activity, DescopeTokenFailure failure)
    {
        if (_tokenValidations.Enabled)
        {
            _tokenValidations.Add(1, new KeyValuePair<string, object?>(Outcome, TelemetryValues.Of(failure)));
        }

        if (activity is not null)
        {
            End(activity, TelemetryValues.Of(failure), failed: failure != DescopeTokenFailure.None, description: null);
        }
    }

    /// <summary>
    /// Records a token accepted from the remembered-token cache: a tag on the request's activity, not an activity of its
    /// own, because it does no work worth a span.
    /// </summary>
    public void TokenRemembered()
    {
        if (_tokenValidations.Enabled)
        {
            _tokenValidations.Add(1, new KeyValuePair<string, object?>(Outcome, TelemetryValues.Remembered));
        }

        if (Activity.Current is { IsAllDataRequested: true } current)
        {
            current.SetTag(TokenOutcome, TelemetryValues.Remembered);
        }
    }

    /// <summary>
    /// Records a DPoP proof check: its outcome on the counter and the request's activity, every one; and a refusal (a
    /// replay included) as an audit event with its reason: the first of its reason in
    /// <see cref="DPoPRefusalLogInterval"/> at once, the later ones counted into one <c>DPoPProofsRefused</c> event when
    /// the interval ends.
    /// </summary>
    public void DPoPProofChecked(DPoPProofFailure failure)
    {
        var outcome = TelemetryValues.Of(failure);
        if (_dpopProofs.Enabled)
        {
            _dpopProofs.Add(1, new KeyValuePair<string, object?>(Outcome, outcome));
        }

        if (Activity.Current is { IsAllDataRequested: true } current)
        {
            current.SetTag(DPoPOutcome, outcome);
        }

        if (failure != DPoPProofFailure.None && _dpopRefusals.ShouldLog((int)failure))
        {
            AuditLog.DPoPProofRefused(_audit, outcome);
        }
    }

    /// <summary>Writes the DPoP refusals still counted.</summary>
    public void Dispose() => _dpopRefusals.Dispose();

    /// <summary>Records an authorization decision on a primitive; refusals and step-ups also become audit events.</summary>
    public void AuthorizationDecided(
        ClaimsPrincipal user, string method, McpPrimitiveKind kind, string primitiveName, PrimitiveAccessOutcome decision, IReadOnlyList<string>? missingScopes)
    {
        var primitiveKind = kind.Name();
        var decisionValue = TelemetryValues.Of(decision);
        if (_authorizationDecisions.Enabled)
        {
            _authorizationDecisions.Add(
                1,
                new KeyValuePair<string, object?>(Method, method),
                new KeyValuePair<string, object?>(PrimitiveKind, primitiveKind),
                new KeyValuePair<string, object?>(Decision, decisionValue));
        }

        if (ActivitySource.HasListeners())
        {
            using var activity = ActivitySource.StartActivity(AuthorizationActivity);
            activity?.SetTag(Method, method)
                .SetTag(PrimitiveKind, primitiveKind)
                .SetTag(PrimitiveName, primitiveName)
                .SetTag(Decision, decisionValue)
                .SetTag(MissingScopes, missingScopes is { Count: > 0 } ? string.Join(' ', missingScopes) : null);
        }

        if (decision == PrimitiveAccessOutcome.MissingScopes)
        {
            AuditLog.StepUpRequired(_audit, user.GetUserId(), user.GetCurrentTenant(), user.GetClientId(), primitiveKind, primitiveName,
                string.Join(' ', missingScopes ?? []));
        }
        else if (decision == PrimitiveAccessOutcome.Forbidden)
        {
            AuditLog.AccessRefused(_audit, user.GetUserId(), user.GetCurrentTenant(), user.GetClientId(), primitiveKind, primitiveName);
        }
    }

    /// <summary>Starts the activity of one connection token request, served from the cache or from Descope.</summary>
    public static Activity? StartConnectionTokenRequest(ConnectionFetch fetch) =>
        ActivitySource.HasListeners()
            ? ActivitySource.StartActivity(ConnectionTokenActivity)?.SetTag(AppId, fetch.AppId).SetTag(Owner, OwnerValue(fetch.Owner))
            : null;

    /// <summary>Records a connection token handed out; <paramref name="cache"/> says where it came from.</summary>
    public void ConnectionTokenServed(Activity? activity, ConnectionFetch fetch, string cache)
    {
        CountConnectionTokenRequest(fetch.AppId, cache, TelemetryValues.Issued);
        activity?.SetTag(Cache, cache);
        End(activity, TelemetryValues.Issued, failed: false, description: null);
        AuditLog.ConnectionTokenIssued(_audit, fetch.AppId, OwnerValue(fetch.Owner), OwnerId(fetch), fetch.TenantId, cache == TelemetryValues.CacheHit);
    }

    /// <summary>
    /// Records a connection token request that failed. Returns <see langword="false"/>, so it can sit in an exception
    /// filter and leave the exception and its stack untouched.
    /// </summary>
    public bool ConnectionTokenFailed(Activity? activity, ConnectionFetch fetch, string cache, Exception exception)
    {
        var outcome = FailureOutcome(exception);
        CountConnectionTokenRequest(fetch.AppId, cache, outcome);
        activity?.SetTag(Cache, cache);
        End(activity, outcome, failed: true, description: null);
        if (outcome != TelemetryValues.Canceled)
        {
            AuditLog.ConnectionTokenRefused(_audit, fetch.AppId, OwnerValue(fetch.Owner), OwnerId(fetch), fetch.TenantId, outcome);
        }

        return false;
    }

    /// <summary>
    /// Records the duration of one call to Descope's connection token API, started at <paramref name="startedAt"/> (a
    /// <see cref="Stopwatch"/> timestamp). Returns <see langword="false"/> for use in an exception filter.
    /// </summary>
    public bool ConnectionTokenFetched(string appId, long startedAt, Exception? failure)
    {
        if (_connectionTokenDuration.Enabled)
        {
            _connectionTokenDuration.Record(
                Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
                new KeyValuePair<string, object?>(AppId, appId),
                new KeyValuePair<string, object?>(Outcome, failure is null ? TelemetryValues.Issued : FailureOutcome(failure)));
        }

        if (Activity.Current is { } current && current.Source == ActivitySource && current.GetTagItem(Attempts) is null)
        {
            current.SetTag(Attempts, 1);
        }

        return false;
    }

    /// <summary>Called by the resilience pipeline before it retries a call to Descope: counts the attempt on the activity.</summary>
    public static void ConnectionAttemptRetried(int failedAttemptNumber)
    {
        if (Activity.Current is { } current && current.Source == ActivitySource)
        {
            current.AddEvent(new ActivityEvent("retry"))
                .SetTag(current.OperationName == FgaCheckActivity ? FgaAttempts : Attempts, failedAttemptNumber + 2);
        }
    }

    /// <summary>Starts the activity of one request to Descope FGA, checking <paramref name="tuples"/> tuples.</summary>
    public static Activity? StartFgaCheck(int tuples) =>
        ActivitySource.HasListeners() ? ActivitySource.StartActivity(FgaCheckActivity)?.SetTag(FgaTuples, tuples).SetTag(FgaAttempts, 1) : null;

    /// <summary>
    /// Ends a request to Descope FGA: <c>success</c>, or the <see cref="RelationCheckFailure"/> it failed with. Returns
    /// <see langword="false"/>, so it can sit in an exception filter.
    /// </summary>
    public static bool FgaCheckEnded(Activity? activity, Exception? failure)
    {
        if (activity is not null)
        {
            var outcome = failure switch
            {
                null => TelemetryValues.Success,
                RelationCheckException refused => TelemetryValues.Of(refused.Failure),
                OperationCanceledException => TelemetryValues.Canceled,
                _ => TelemetryValues.Error,
            };
            End(activity, outcome, failed: failure is not null, description: null);
        }

        return false;
    }

    /// <summary>Counts one relation answered: allowed or denied, from the cache or from Descope.</summary>
    public void FgaChecked(bool allowed, string cache)
    {
        if (_fgaChecks.Enabled)
        {
            _fgaChecks.Add(
                1,
                new KeyValuePair<string, object?>(Outcome, allowed ? TelemetryValues.Allowed : TelemetryValues.Denied),
                new KeyValuePair<string, object?>(FgaCache, cache));
        }
    }

    /// <summary>Counts <paramref name="count"/> relations Descope could not be asked about. Returns <see langword="false"/> for an exception filter.</summary>
    public bool FgaCheckFailed(int count)
    {
        if (_fgaChecks.Enabled)
        {
            _fgaChecks.Add(
                count,
                new KeyValuePair<string, object?>(Outcome, TelemetryValues.Error),
                new KeyValuePair<string, object?>(FgaCache, TelemetryValues.CacheMiss));
        }

        return false;
    }

    /// <summary>
    /// Records a call refused because the caller lacks a relation: an audit event naming the target, the relation and the
    /// resource (never a metric tag: resource IDs come from the caller).
    /// </summary>
    public void RelationDenied(
        ClaimsPrincipal? user, string? targetType, string? target, McpPrimitiveKind kind, string primitiveName, string relation, string resourceType, string resourceId) =>
        AuditLog.RelationDenied(
            _audit, targetType, target, user?.GetCurrentTenant(), user?.GetClientId(), relation, resourceType, resourceId, kind.Name(), primitiveName);

    private void CountConnectionTokenRequest(string appId, string cache, string outcome)
    {
        if (_connectionTokenRequests.Enabled)
        {
            _connectionTokenRequests.Add(
                1,
                new KeyValuePair<string, object?>(AppId, appId),
                new KeyValuePair<string, object?>(Cache, cache),
                new KeyValuePair<string, object?>(Outcome, outcome));
        }
    }

    private static void End(Activity? activity, string outcome, bool failed, string? description)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Outcome, outcome);
        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, description ?? outcome);
        }
    }

    private static string FailureOutcome(Exception exception) => exception switch
    {
        ConnectionTokenException refused => TelemetryValues.Of(refused.Failure),
        OperationCanceledException => TelemetryValues.Canceled,
        _ => TelemetryValues.Error,
    };

    private static string OwnerValue(ConnectionOwner owner) => owner == ConnectionOwner.Tenant ? "tenant" : "user";

    private void SummarizeDPoPRefusals(int failure, int count) =>
        AuditLog.DPoPProofsRefused(_audit, count, TelemetryValues.Of((DPoPProofFailure)failure), (int)DPoPRefusalLogInterval.TotalSeconds);

    private static string? OwnerId(ConnectionFetch fetch) => fetch.Owner == ConnectionOwner.Tenant ? fetch.TenantId : fetch.UserId;
}
