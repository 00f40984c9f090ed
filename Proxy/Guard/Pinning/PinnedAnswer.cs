using System.Text.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>A <c>tools/list</c> answer after tool pinning: the line the client gets, what to audit, what to record.</summary>
/// <param name="Line">The line as it came, without the tools that changed (block), or an error in its place (block, unreadable).</param>
/// <param name="Event">The audit row of its own (<see cref="PinAudit"/> actions); null when the listing matches its pins or was reported already.</param>
/// <param name="Observation">What the recorder keeps (first pins or a pending change); null when nothing new.</param>
internal sealed record PinnedAnswer(ReadOnlyMemory<byte> Line, PinEvent? Event, ToolPinObservation? Observation);

/// <summary>An audit row of tool pinning.</summary>
internal sealed record PinEvent(string Action, string Outcome, JsonElement Detail);
