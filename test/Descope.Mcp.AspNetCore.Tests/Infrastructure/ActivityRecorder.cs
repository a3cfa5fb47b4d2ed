using System.Collections.Concurrent;
using System.Diagnostics;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Records the activities of the library (and ASP.NET Core's request activities) that belong to one trace. The listener
/// is process-wide, so each test starts its own scenario trace and reads only that trace's activities: HTTP requests made
/// inside it carry it to the server in <c>traceparent</c>.
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    private const string ScenarioSourceName = "Descope.Mcp.AspNetCore.Tests.Scenario";
    private static readonly ActivitySource Scenarios = new(ScenarioSourceName);

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly Activity _scenario;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is DescopeMcpDefaults.ActivitySourceName or "Microsoft.AspNetCore" or ScenarioSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _scenario = Scenarios.StartActivity("scenario") ?? throw new InvalidOperationException("The scenario activity was not created.");
    }

    public ActivityTraceId TraceId => _scenario.TraceId;

    /// <summary>The stopped activities of this scenario's trace.</summary>
    public IReadOnlyList<Activity> Activities => [.. _stopped.Where(a => a.TraceId == TraceId)];

    public IReadOnlyList<Activity> Named(string operationName) => [.. Activities.Where(a => a.OperationName == operationName)];

    public void Dispose()
    {
        _scenario.Stop();
        _listener.Dispose();
    }
}
