using System.ComponentModel;
using System.Runtime.InteropServices;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>Tools SMCP's own tests use to drive a sandboxed server: echo, sleep and crash.</summary>
[McpServerToolType]
internal sealed partial class ControlTools
{
    [McpServerTool(Name = "echo", ReadOnly = true, Idempotent = true)]
    [Description("Echoes the message back as \"Echo: {message}\".")]
    public static string Echo([Description("The message to echo")] string message) => $"Echo: {message}";

    [McpServerTool(Name = "sleep", ReadOnly = true)]
    [Description("Waits the given number of milliseconds, then answers \"slept {ms}\".")]
    public static async Task<string> Sleep([Description("How long to wait, in milliseconds")] int ms, CancellationToken cancellationToken)
    {
        await Task.Delay(Math.Max(0, ms), cancellationToken).ConfigureAwait(false);
        return $"slept {ms}";
    }

    [McpServerTool(Name = "crash", Destructive = true)]
    [Description("Ends the server process at once with exit code 3, without answering.")]
    public static string Crash()
    {
        // _exit: no flushing, no host shutdown, no reply; the caller sees the process die.
        Exit(3);
        return "unreachable";
    }

    [LibraryImport("libc.so.6", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
