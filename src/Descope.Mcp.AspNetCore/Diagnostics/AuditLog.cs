using Microsoft.Extensions.Logging;

namespace Descope.Mcp.AspNetCore.Diagnostics;

/// <summary>
/// Audit events, under the <see cref="DescopeMcpDefaults.AuditLogCategory"/> category with stable event IDs. They name
/// who asked for what and what was decided, never a token. ASP.NET Core's logging scopes carry the trace and span IDs.
/// </summary>
internal static partial class AuditLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Step-up required: user {UserId} (tenant {TenantId}, client {ClientId}) called {PrimitiveKind} {PrimitiveName} without the scopes {MissingScopes}.",
        EventName = "AuthorizationStepUpRequired")]
    public static partial void StepUpRequired(
        ILogger logger, string? userId, string? tenantId, string? clientId, string primitiveKind, string primitiveName, string missingScopes);

    [LoggerMessage(2, LogLevel.Warning,
        "Access refused: user {UserId} (tenant {TenantId}, client {ClientId}) may not call {PrimitiveKind} {PrimitiveName}: a required role or permission is missing.",
        EventName = "AuthorizationRefused")]
    public static partial void AccessRefused(
        ILogger logger, string? userId, string? tenantId, string? clientId, string primitiveKind, string primitiveName);

    [LoggerMessage(3, LogLevel.Information,
        "Connection token handed out: connection {AppId} for {Owner} {OwnerId} (tenant {TenantId}), from cache: {FromCache}.",
        EventName = "ConnectionTokenIssued")]
    public static partial void ConnectionTokenIssued(
        ILogger logger, string appId, string owner, string? ownerId, string? tenantId, bool fromCache);

    [LoggerMessage(4, LogLevel.Warning,
        "Connection token refused: connection {AppId} for {Owner} {OwnerId} (tenant {TenantId}): {Outcome}.",
        EventName = "ConnectionTokenRefused")]
    public static partial void ConnectionTokenRefused(
        ILogger logger, string appId, string owner, string? ownerId, string? tenantId, string outcome);

    [LoggerMessage(5, LogLevel.Warning,
        "DPoP proof refused: {Reason}.",
        EventName = "DPoPProofRefused")]
    public static partial void DPoPProofRefused(ILogger logger, string reason);

    [LoggerMessage(6, LogLevel.Warning,
        "{Count} further DPoP proofs refused for reason {Reason} in the last {IntervalSeconds} s.",
        EventName = "DPoPProofsRefused")]
    public static partial void DPoPProofsRefused(ILogger logger, int count, string reason, int intervalSeconds);

    [LoggerMessage(7, LogLevel.Warning,
        "Relation refused: {TargetType} {Target} (tenant {TenantId}, client {ClientId}) lacks {Relation} on {ResourceType} {ResourceId}, so {PrimitiveKind} {PrimitiveName} did not run.",
        EventName = "RelationDenied")]
    public static partial void RelationDenied(
        ILogger logger,
        string? targetType,
        string? target,
        string? tenantId,
        string? clientId,
        string relation,
        string resourceType,
        string resourceId,
        string primitiveKind,
        string primitiveName);
}
