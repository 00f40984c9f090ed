using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smcp.Proxy.Sessions;

/// <summary>Ends sessions with no request in flight and no message either way for longer than their target's idle timeout.</summary>
internal sealed class IdleSessionReaper(SessionStore sessions, IOptions<ProxyOptions> options, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Proxy.Sessions");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReapAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the session store ends what is left.
        }
    }

    internal async Task ReapAsync()
    {
        foreach (var session in sessions.All)
        {
            var idle = session.IdleFor;
            if (session.InFlight == 0 && idle >= session.Target.IdleTimeout)
            {
                Log.SessionIdle(_logger, session.Id, idle);
                await session.EndAsync("idle timeout", "The session ended after being idle.").ConfigureAwait(false);
            }
        }
    }
}
