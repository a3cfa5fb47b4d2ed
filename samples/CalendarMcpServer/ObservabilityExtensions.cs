using Descope.Mcp.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CalendarMcpServer;

/// <summary>OpenTelemetry traces and metrics for the server, and the Descope health check.</summary>
public static class ObservabilityExtensions
{
    /// <summary>
    /// Exports ASP.NET Core, HttpClient and Descope traces and metrics: to the console in Development (except during the
    /// <c>--demo</c> walkthrough, whose transcript stays readable), and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
    /// set. Adds the <c>descope</c> health check.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder.</returns>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var console = builder.Environment.IsDevelopment() && !Environment.GetCommandLineArgs().Contains("--demo", StringComparer.Ordinal);
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
