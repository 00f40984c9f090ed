namespace Smcp.Sandbox;

/// <summary>Why a sandbox is no longer running.</summary>
public enum SandboxExitReason
{
    /// <summary>The server process ended by itself.</summary>
    Exited,

    /// <summary>The kernel (or gVisor) killed it for going over its memory limit.</summary>
    OutOfMemory,

    /// <summary>
    /// SIGKILLed by something other than SMCP without the engine reporting an OOM kill: under gVisor
    /// the engine's OOM flag is occasionally missing for a memory-limit kill, so this is most likely one.
    /// </summary>
    Killed,

    /// <summary>SMCP stopped it: the session ended, idled out, or the platform shut down.</summary>
    Stopped,

    /// <summary>It wrote a stdout line longer than the message size limit.</summary>
    MessageTooLarge,

    /// <summary>It stopped reading its stdin.</summary>
    StdinBlocked,

    /// <summary>It wrote more to stdout than anyone read: its buffer stayed full for the flood timeout.</summary>
    StdoutFlood,

    /// <summary>The container engine failed or lost the container.</summary>
    EngineError,
}

/// <summary>How a sandbox ended: its exit code when there is one, and the reason.</summary>
public sealed record SandboxExit(SandboxExitReason Reason, long? ExitCode, bool OomKilled)
{
    /// <summary>For <see cref="SandboxExitReason.StdoutFlood"/>: the bytes buffered and never read when it was ended.</summary>
    public long UnreadBytes { get; init; }

    /// <summary>A sentence fit for the MCP client: no host details, no stderr.</summary>
    public string Describe() => Reason switch
    {
        SandboxExitReason.Exited => $"The MCP server exited with code {ExitCode}.",
        SandboxExitReason.OutOfMemory => "The MCP server was killed for exceeding its memory limit.",
        SandboxExitReason.Killed => "The MCP server was killed (SIGKILL), most likely for exceeding its memory limit.",
        SandboxExitReason.Stopped => "The MCP server was stopped.",
        SandboxExitReason.MessageTooLarge => "The MCP server was stopped: it sent a message over the size limit.",
        SandboxExitReason.StdinBlocked => "The MCP server was stopped: it stopped reading its input.",
        SandboxExitReason.StdoutFlood => $"The MCP server was stopped: it wrote more to stdout than anyone read ({UnreadBytes} bytes buffered).",
        _ => "The MCP server's sandbox failed.",
    };
}

/// <summary>Why a sandbox could not be started or an image not loaded.</summary>
public enum SandboxError
{
    ImageNotFound,
    RuntimeUnavailable,
    TenantLimitReached,
    StartTimedOut,
    InvalidImage,
    EngineUnavailable,
    EngineBusy,

    /// <summary>The configured engine does not do this (image uploads on Kubernetes).</summary>
    Unsupported,
}

/// <summary>A sandbox operation that failed for a reason the caller can act on; the message is safe to show a tenant.</summary>
public sealed class SandboxException(SandboxError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public SandboxError Error { get; } = error;
}
