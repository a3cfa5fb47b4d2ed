namespace CalendarMcpServer.Offline;

/// <summary>Stops the Calendar stand-in with the server.</summary>
internal sealed class OfflineLifetime(OfflineEnvironment offline) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => offline.DisposeAsync().AsTask();
}
