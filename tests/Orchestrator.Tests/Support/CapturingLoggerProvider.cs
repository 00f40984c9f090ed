using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>
/// A logger provider that keeps every line with the scopes it was written in. It takes the factory's scope provider
/// (<see cref="ISupportExternalScope"/>), as the console logger does, so it sees exactly the scopes a real sink prints.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Lines { get; } = new();

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<IReadOnlyDictionary<string, object?>>();
            var text = new List<string>();
            provider._scopes.ForEachScope(
                (scope, _) =>
                {
                    text.Add(scope?.ToString() ?? "");
                    scopes.Add(scope is IEnumerable<KeyValuePair<string, object?>> values
                        ? values.GroupBy(v => v.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)
                        : new Dictionary<string, object?>(StringComparer.Ordinal) { [""] = scope?.ToString() });
                },
                (object?)null);
            provider.Lines.Enqueue(new CapturedLog(category, eventId, logLevel, formatter(state, exception), scopes, text));
        }
    }
}
