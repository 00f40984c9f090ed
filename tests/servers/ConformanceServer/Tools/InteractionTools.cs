using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>
/// Tools that talk back to the client while they run: log notifications (tools-call-with-logging),
/// progress notifications (tools-call-with-progress) and sampling (tools-call-sampling).
/// </summary>
[McpServerToolType]
internal sealed class InteractionTools
{
    private static readonly TimeSpan StepDelay = TimeSpan.FromMilliseconds(50);

    [McpServerTool(Name = "test_tool_with_logging", ReadOnly = true)]
    [Description("Sends three info log notifications while it runs, ~50 ms apart.")]
    public static async Task<string> ToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        await LogAsync(server, "Tool execution started", cancellationToken).ConfigureAwait(false);
        await Task.Delay(StepDelay, cancellationToken).ConfigureAwait(false);
        await LogAsync(server, "Tool processing data", cancellationToken).ConfigureAwait(false);
        await Task.Delay(StepDelay, cancellationToken).ConfigureAwait(false);
        await LogAsync(server, "Tool execution completed", cancellationToken).ConfigureAwait(false);
        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_tool_with_progress", ReadOnly = true)]
    [Description("Reports progress 0, 50 and 100 of 100 when the request carries a progress token.")]
    public static async Task<string> ToolWithProgress(
        McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var token = context.Params?.ProgressToken;
        for (var progress = 0; progress <= 100; progress += 50)
        {
            if (progress > 0)
            {
                await Task.Delay(StepDelay, cancellationToken).ConfigureAwait(false);
            }

            if (token is { } t)
            {
                await server.NotifyProgressAsync(
                    t,
                    new ProgressNotificationValue { Progress = progress, Total = 100, Message = $"{progress}%" },
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return token is null ? "Progress tool completed (no progress token)" : "Progress tool completed";
    }

    [McpServerTool(Name = "test_sampling")]
    [Description("Asks the client's LLM (sampling/createMessage) and returns its answer.")]
    public static async Task<CallToolResult> Sampling(
        McpServer server,
        [Description("The prompt to send to the LLM")] string prompt,
        CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Sampling is null)
        {
            return Error("The client does not support sampling.");
        }

        var result = await server.SampleAsync(
            new CreateMessageRequestParams
            {
                Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
                MaxTokens = 100,
            },
            cancellationToken).ConfigureAwait(false);

        var text = string.Join(" ", result.Content.OfType<TextContentBlock>().Select(static c => c.Text));
        return Text($"LLM response: {text}");
    }

    [McpServerTool(Name = "test_reconnection", ReadOnly = true)]
    [Description("Over Streamable HTTP, ends the response stream mid-call so the client must reconnect (SEP-1699).")]
    public static async Task<string> Reconnection(
        RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        try
        {
            await context.EnablePollingAsync(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // stdio has no streams to close; answer normally.
        }

        await Task.Delay(StepDelay * 2, cancellationToken).ConfigureAwait(false);
        return "Reconnection test completed successfully";
    }

    internal static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    internal static CallToolResult Error(string text) =>
        new() { IsError = true, Content = [new TextContentBlock { Text = text }] };

    private static async Task LogAsync(McpServer server, string message, CancellationToken cancellationToken)
    {
        if (server.LoggingLevel is { } level && level > LoggingLevel.Info)
        {
            return;
        }

        await server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams
            {
                Level = LoggingLevel.Info,
                Logger = "test_tool_with_logging",
                Data = JsonSerializer.SerializeToElement(message, ConformanceJsonContext.Default.String),
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
