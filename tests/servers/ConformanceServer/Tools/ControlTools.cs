using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>Tools SMCP's own tests use to drive a sandboxed server: echo, sleep, flood and crash.</summary>
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

    [McpServerTool(Name = "flood", ReadOnly = true)]
    [Description("Sends `count` info log notifications of `size` characters each, `pauseMs` apart, then answers \"flooded {count}\".")]
    public static async Task<string> Flood(
        McpServer server,
        [Description("How many notifications")] int count,
        [Description("Characters in each")] int size,
        [Description("Milliseconds between two notifications")] int pauseMs,
        CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToElement(new string('x', Math.Max(0, size)), ConformanceJsonContext.Default.String);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && pauseMs > 0)
            {
                await Task.Delay(pauseMs, cancellationToken).ConfigureAwait(false);
            }

            await server.SendNotificationAsync(
                NotificationMethods.LoggingMessageNotification,
                new LoggingMessageNotificationParams { Level = LoggingLevel.Info, Logger = "flood", Data = data },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return $"flooded {count}";
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
