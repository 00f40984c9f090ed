using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>One log line as a provider got it: its category, event, formatted message and the scopes it was written in, innermost last.</summary>
/// <param name="Scopes">Each scope's named values (a message template's holes); a scope without names has its text under the key "".</param>
/// <param name="ScopeText">Every scope as its own text, as a console or JSON formatter would print it.</param>
internal sealed record CapturedLog(
    string Category, EventId EventId, LogLevel Level, string Message,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Scopes, IReadOnlyList<string> ScopeText);
