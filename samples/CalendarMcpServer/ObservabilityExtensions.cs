using Descope.Mcp.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CalendarMcpServer;

/// <summary>OpenTelemetry traces and metrics for the server, and the Descope health check.</summary>
public static class ObservabilityExtensions
{
    /// <summary>The setting that turns on the console exporter of traces and metrics.</summary>
    public const string ConsoleKey = "Observability:Console";

    /// <summary>
    /// Exports ASP.NET Core, HttpClient and Descope traces and metrics: to the console when <c>Observability:Console</c>
    /// is <c>true</c> (for example <c>Observability__Console=true</c>; off by default, so the console shows the banner and
    /// the log), and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Adds the <c>descope</c> health check.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder.</returns>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var console = builder.Configuration.GetValue<bool>(ConsoleKey);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddHealthChecks().AddDescopeMcp();
        if (!console && !otlp)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource(DescopeMcpDefaults.ActivitySourceName);
                if (console)
                {
                    tracing.AddConsoleExporter();
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter(DescopeMcpDefaults.MeterName);
                if (console)
                {
                    metrics.AddConsoleExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return builder;
    }
}
