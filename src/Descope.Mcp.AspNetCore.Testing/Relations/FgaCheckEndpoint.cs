using System.Globalization;
using System.Text;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Descope.Mcp.AspNetCore.Testing.Relations;

/// <summary>
/// Descope's FGA check, <c>POST /v1/mgmt/fga/check</c>, over <see cref="TestRelations"/>: the management key is checked
/// before the body; the body is <c>{"tuples":[...], "context"?: {...}}</c> with no other member, each tuple an object of
/// non-empty strings <c>resource</c>, <c>relation</c>, <c>target</c> and optional <c>resourceType</c>,
/// <c>targetType</c>, nothing else; the answer is <c>{"tuples":[{"allowed","tuple","info":{"direct"}}]}</c> in request
/// order.
/// </summary>
internal static class FgaCheckEndpoint
{
    public const string Path = "/v1/mgmt/fga/check";
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly HashSet<string> TupleMembers = ["resource", "resourceType", "relation", "target", "targetType"];

    public static void Map(WebApplication app, DescopeTestAuthority authority) =>
        app.MapPost(Path, (HttpContext context) => HandleAsync(context, authority));

    private static async Task HandleAsync(HttpContext context, DescopeTestAuthority authority)
    {
        var relations = authority.Relations;
        var body = await ReadBodyAsync(context.Request);
        var authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null;

        var fault = await relations.Faults.ApplyAsync(context.RequestAborted);
        if (fault is { Drop: true })
        {
            relations.Record(new TestVaultRequest(Path, body, authorization, 0));
            context.Abort();
            return;
        }

        var (status, json) = fault is not null
            ? Fail(fault.StatusCode, "E130001", "Injected fault")
            : Answer(body, authorization, authority);
        relations.Record(new TestVaultRequest(Path, body, authorization, status));

        context.Response.StatusCode = status;
        if (fault?.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (fault?.Location is { } location)
        {
            context.Response.Headers.Location = location.AbsoluteUri;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    private static (int Status, byte[] Json) Answer(string body, string? authorization, DescopeTestAuthority authority)
    {
        // Like Descope: the credential is checked before the request is, and only the management key is one.
        if (!DescopeManagementRequest.TryReadCredential(authorization, out var projectId, out var secret))
        {
            return Fail(401, "E011004", "Unauthorized: expected 'Bearer <ProjectId>:<management key>'");
        }

        if (projectId != authority.ProjectId || authority.Relations.ManagementKey is not { } managementKey || secret != managementKey)
        {
            return Fail(401, "E011004", "Unauthorized: the management key is not valid for this project");
        }

        if (!TryParse(body, out var tuples, out var problem))
        {
            return Fail(400, "E011002", "Request is invalid: " + problem);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("tuples");
            foreach (var tuple in tuples)
            {
                var allowed = authority.Relations.Has(tuple.Target, tuple.TargetType ?? FgaOptions.DefaultUserTargetType, tuple.Relation, tuple.ResourceType ?? string.Empty, tuple.Resource);
                writer.WriteStartObject();
                writer.WriteBoolean("allowed", allowed);
                writer.WriteStartObject("tuple");
                writer.WriteString("resource", tuple.Resource);
                writer.WriteString("resourceType", tuple.ResourceType);
                writer.WriteString("relation", tuple.Relation);
                writer.WriteString("target", tuple.Target);
                writer.WriteString("targetType", tuple.TargetType);
                writer.WriteEndObject();
                writer.WriteStartObject("info");
                writer.WriteBoolean("direct", allowed);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return (200, buffer.ToArray());
    }

    /// <summary>Descope refuses unknown fields, missing ones and wrong types with 400.</summary>
    private static bool TryParse(string body, out List<Tuple> tuples, out string problem)
    {
        tuples = [];
        if (!DescopeManagementRequest.TryReadObject(body, out var root, out problem))
        {
            return false;
        }

        foreach (var member in root.EnumerateObject())
        {
            if (member.Name is not ("tuples" or "context"))
            {
                problem = $"unknown field '{member.Name}'";
                return false;
            }
        }

        if (root.TryGetProperty("context", out var context) && context.ValueKind != JsonValueKind.Object)
        {
            problem = "field 'context' must be an object";
            return false;
        }

        if (!root.TryGetProperty("tuples", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            problem = "field 'tuples' must be a non-empty array";
            return false;
        }

        foreach (var tuple in array.EnumerateArray())
        {
            if (tuple.ValueKind != JsonValueKind.Object)
            {
                problem = "each tuple must be an object";
                return false;
            }

            foreach (var member in tuple.EnumerateObject())
            {
                if (!TupleMembers.Contains(member.Name))
                {
                    problem = $"unknown tuple field '{member.Name}'";
                    return false;
                }

                if (member.Value.ValueKind != JsonValueKind.String || member.Value.GetString()!.Length == 0)
                {
                    problem = $"tuple field '{member.Name}' must be a non-empty string";
                    return false;
                }
            }

            string? Text(string name) => tuple.TryGetProperty(name, out var value) ? value.GetString() : null;
            if (Text("resource") is not { } resource || Text("relation") is not { } relation || Text("target") is not { } target)
            {
                problem = "each tuple needs 'resource', 'relation' and 'target'";
                return false;
            }

            tuples.Add(new Tuple(resource, Text("resourceType"), relation, target, Text("targetType")));
        }

        problem = "";
        return true;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0)
        {
            length += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static (int Status, byte[] Json) Fail(int status, string errorCode, string description) =>
        (status, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["errorCode"] = errorCode,
            ["errorDescription"] = description,
            ["errorMessage"] = description,
        }));

    private sealed record Tuple(string Resource, string? ResourceType, string Relation, string Target, string? TargetType);
}
