using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smcp.Sandbox;

/// <summary>
/// At start-up: proves the configured runtime exists (no silent fallback), then removes the
/// containers this installation left behind before a restart.
/// </summary>
internal sealed class SandboxStartup(ISandboxEngine engine, IOptions<SandboxOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.EnsureRuntimeAsync(options.Value.DefaultRuntime, cancellationToken).ConfigureAwait(false);
        await engine.RemoveOrphansAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
