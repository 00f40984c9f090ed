using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary>Keeps every formatted log line, so a test can read what an admin would see in the log.</summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(EventId EventId, string Message)> entries = new();

    public IReadOnlyList<(EventId EventId, string Message)> Entries => [.. entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((eventId, formatter(state, exception)));
}
