namespace Smcp.Orchestrator.Cli;

/// <summary>A command that cannot go on: its one-line message (what to do) and its exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
