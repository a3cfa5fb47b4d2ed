// The same stateless MCP server several ways, for build/load.sh: no authentication, the JwtBearer + SDK AddMcp setup a
// C# developer wires by hand today, and Descope.Mcp.AspNetCore as shipped (descope) and in stages: authentication only
// (descope-authn-only), authentication and the DescopeMcp policy without the step-up gate (descope-policy-only). Each
// validates tokens from one in-memory test authority.
// With --tracing the server records traces and metrics as an OpenTelemetry app does (ASP.NET Core's request spans and
// the library's ActivitySource and Meter, every span sampled), exporting to nowhere.
using System.ComponentModel;
using System.Diagnostics;
using Descope.Mcp.AspNetCore;
using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Server;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var mode = args.ElementAtOrDefault(0) ?? "descope";
var port = args.ElementAtOrDefault(1) ?? "5300";
var tokenFile = args.ElementAtOrDefault(2) ?? "token.txt";
var tracing = args.Contains("--tracing");
var mcpUrl = $"http://127.0.0.1:{port}/mcp";

await using var authority = await DescopeTestAuthority.StartAsync(o => { o.InProcess = true; o.DefaultAudience = mcpUrl; });

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddMcpServer().WithHttpTransport().WithTools<LoadTools>();
if (tracing)
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(t => t
            .SetSampler(new AlwaysOnSampler())
            .AddAspNetCoreInstrumentation()
            .AddSource(DescopeMcpDefaults.ActivitySourceName)
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter<Activity>())))
        .WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddMeter(DescopeMcpDefaults.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new DiscardingExporter<Metric>(), exportIntervalMilliseconds: 1000)));
}

switch (mode)
{
    case "none":
        break;
    case "jwtbearer":
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = McpAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = McpAuthenticationDefaults.AuthenticationScheme;
            })
            .AddJwtBearer(o =>
            {
                o.MetadataAddress = authority.WellKnownUrl;
                o.BackchannelHttpHandler = authority.CreateHandler();
                o.Audience = mcpUrl;
                o.MapInboundClaims = false;
            })
            .AddMcp(o => o.ResourceMetadata = new() { AuthorizationServers = { authority.Issuer } });
        builder.Services.AddAuthorization();
        break;
    case "descope":
        builder.Services.AddDescopeTestAuthority(authority);
        builder.Services.AddDescopeMcp(o => o.McpServerUrl = mcpUrl);
        break;
    case "descope-authn-only":
    case "descope-policy-only":
        builder.Services.AddDescopeTestAuthority(authority);
        builder.Services.AddDescopeMcp(o => { o.McpServerUrl = mcpUrl; o.ProtectMcpEndpoints = false; });
        break;
    default:
        throw new ArgumentException($"Unknown mode '{mode}': use none, jwtbearer, descope-authn-only, descope-policy-only or descope.");
}

var app = builder.Build();
var endpoint = app.MapMcp("/mcp");

// The bytes this process has allocated so far: read before and after a measured run, divided by its requests.
app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture));
if (mode == "jwtbearer")
{
    endpoint.RequireAuthorization();
}
else if (mode == "descope-policy-only")
{
    // Authentication and the DescopeMcp policy, without the step-up gate: what the gate adds is "descope" minus this.
    endpoint.RequireAuthorization(DescopeMcpDefaults.AuthorizationPolicy);
}

await app.StartAsync();
await File.WriteAllTextAsync(tokenFile, authority.CreateToken(t => t.ExpiresAt = DateTimeOffset.UtcNow.AddHours(2)));
Console.WriteLine($"ready {mode} {mcpUrl}{(tracing ? " with tracing" : "")}");
await app.WaitForShutdownAsync();

[McpServerToolType]
internal sealed class LoadTools
{
    [McpServerTool(Name = "echo"), Description("Returns the message.")]
    public static string Echo(string message) => message;
}
