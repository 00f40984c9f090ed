namespace Smcp.Sandbox.Engine;

/// <summary>One engine's hold on one started sandbox: its stdio stream and the calls that end it.</summary>
/// <remarks>
/// The seam under <see cref="RunningSandbox"/>, so its reader loop, byte bounds and exit reasons are the same on every engine.
/// Engine faults surface as <see cref="IOException"/>; a sandbox the engine no longer has is not a fault (stop and remove
/// succeed, <see cref="WaitAsync"/> returns null).
/// </remarks>
internal interface ISandboxHandle : IDisposable
{
    /// <summary>The engine's name for it: a container id, a pod name.</summary>
    string Name { get; }

    /// <summary>Reads the next chunk of stdout or stderr into <paramref name="buffer"/>.</summary>
    ValueTask<StdioChunk> ReadAsync(byte[] buffer, CancellationToken cancellationToken);

    /// <summary>Writes to stdin; an <see cref="IOException"/> when stdin is closed.</summary>
    Task WriteAsync(byte[] buffer, int count, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>SIGKILL now.</summary>
    Task KillAsync(CancellationToken cancellationToken);

    /// <summary>Removes what is left of the sandbox in the engine.</summary>
    Task RemoveAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the sandbox has stopped, with its exit code; null when the engine no longer has it.</summary>
    Task<long?> WaitAsync(CancellationToken cancellationToken);

    /// <summary>Whether the engine says the sandbox was killed for its memory limit; null when the engine no longer has it.</summary>
    Task<bool?> OomKilledAsync(CancellationToken cancellationToken);
}
