using Microsoft.Extensions.Hosting;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// Ends the live sessions while the host stops, before the services registered earlier (the audit
/// writer among them) stop, so the rows those endings write are still flushed.
/// </summary>
internal sealed class SessionShutdown(SessionStore sessions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => sessions.EndAllAsync().WaitAsync(cancellationToken);
}
