using System.Buffers;
using System.Text.Json;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>
/// One session's tool pinning: the pins it compares each <c>tools/list</c> answer against (the approved ones loaded when it
/// started, or its first listing when the server had none), the tools it removed under <c>block</c> (refused for the rest
/// of the session), and whether the server announced a changed list (<c>notifications/tools/list_changed</c>) that the
/// client has not listed since: under block, calls wait for that listing.
/// </summary>
internal sealed class SessionPins(string tenant, string server, McpServerTarget target)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);
    private ToolPinSet? _pins = target.Pins;
    private string? _reported;
    private bool _unlisted;
    private (string ResultHash, ObservedListing Listing)? _lastRead;

    public bool IsOn => target.ToolPinning != ToolPinningPolicy.Off;

    /// <summary>The server sent <c>notifications/tools/list_changed</c>: it passes on to the client; the next listing is checked as usual.</summary>
    public void ListChanged()
    {
        lock (_gate)
        {
            _unlisted = true;
        }
    }

    /// <summary>The answer for a successful <c>tools/list</c>: <paramref name="original"/> as the server sent it, <paramref name="current"/> after the scan.</summary>
    public PinnedAnswer Inspect(ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> current, RequestId id)
    {
        var policy = target.ToolPinning;
        var listing = Read(original);
        if (listing.Problem is { } problem)
        {
            var detail = PinAudit.UnreadableDetail(policy, problem);
            return policy == ToolPinningPolicy.Block
                ? new PinnedAnswer(JsonRpcErrors.For(id, ErrorCodes.InternalError, $"The server's tools/list answer was withheld by tool pinning: {problem}."),
                    new PinEvent(PinAudit.Unreadable, ScanOutcomes.Withheld, detail), null)
                : new PinnedAnswer(current, new PinEvent(PinAudit.Unreadable, "warned", detail), null);
        }

        ToolPinSet pins;
        lock (_gate)
        {
            _unlisted = false;
            if (_pins is null)
            {
                _pins = new ToolPinSet(target.Version, listing.Tools.Select(t => t.Pin).ToList());
                _reported = listing.Hash;
                return new PinnedAnswer(current, new PinEvent(PinAudit.Recorded, "ok", PinAudit.RecordedDetail(target.Version, listing)),
                    new ToolPinObservation(tenant, server, target.Version, PinObservationKind.FirstUse, listing.Hash, listing.Tools, ToolPinChanges.None));
            }

            pins = _pins;
        }

        var changes = PinComparer.Compare(pins, listing);
        if (changes.IsEmpty)
        {
            return new PinnedAnswer(current, null, null);
        }

        bool report;
        lock (_gate)
        {
            report = _reported != listing.Hash;
            _reported = listing.Hash;
        }

        var pinEvent = report
            ? new PinEvent(PinAudit.Changed, policy == ToolPinningPolicy.Block ? "blocked" : "warned", PinAudit.ChangeDetail(policy, target.Version, pins, listing, changes))
            : null;
        var observation = report
            ? new ToolPinObservation(tenant, server, target.Version, PinObservationKind.Changed, listing.Hash, listing.Tools, changes)
            : null;
        if (policy != ToolPinningPolicy.Block)
        {
            return new PinnedAnswer(current, pinEvent, observation);
        }

        var hidden = new Dictionary<string, string>(StringComparer.Ordinal);
        changes.Changed.ToList().ForEach(name => hidden[name] = "its definition changed since it was pinned");
        changes.Added.ToList().ForEach(name => hidden[name] = "it was added since the tools were pinned");
        changes.Renamed.ToList().ForEach(r => hidden[r.To] = $"it is the pinned tool '{Excerpt.Around(r.From, 0)}' under a new name");
        lock (_gate)
        {
            foreach (var (name, why) in hidden)
            {
                if (_refused.Count < SessionBlocks.MaxEntries)
                {
                    _refused.TryAdd(name, why);
                }
            }
        }

        return new PinnedAnswer(Without(current, hidden, id), pinEvent, observation);
    }

    /// <summary>The listing's tools; a session listing the same bytes again pays a hash, not a parse.</summary>
    private ObservedListing Read(ReadOnlyMemory<byte> line)
    {
        if (!ResultLocator.TryFind(line, out var result))
        {
            return ObservedListing.Read(line);
        }

        var hash = ToolCanon.Hex(result.Span);
        lock (_gate)
        {
            if (_lastRead is { } last && last.ResultHash == hash)
            {
                return last.Listing;
            }
        }

        var listing = ObservedListing.Read(line);
        lock (_gate)
        {
            _lastRead = (hash, listing);
        }

        return listing;
    }

    /// <summary>The error answer for a <c>tools/call</c> the session refuses under block; null when it may be forwarded.</summary>
    public byte[]? RefusalFor(JsonRpcMessage request)
    {
        if (target.ToolPinning != ToolPinningPolicy.Block || request.Method != "tools/call")
        {
            return null;
        }

        string? why;
        lock (_gate)
        {
            if (_unlisted)
            {
                return JsonRpcErrors.For(request.Id, ErrorCodes.InvalidParams,
                    "The server announced a changed tool list (notifications/tools/list_changed): list the tools again (tools/list) before calling one, "
                    + "so tool pinning can check the new definitions first.");
            }

            if (request.Target is not { } name || !_refused.TryGetValue(name, out why))
            {
                return null;
            }
        }

        return JsonRpcErrors.For(request.Id, ErrorCodes.InvalidParams,
            $"The tool '{Excerpt.Around(request.Target, 0)}' is withheld by the proxy: {why}, and this server's toolPinning policy is block. "
            + $"A tenant admin must approve the new pins (POST /v1/tenants/{tenant}/servers/{server}/pins/approve, or smcp pins approve) before it can be called.");
    }

    /// <summary>The answer without the hidden tools; unchanged when it holds no readable result (the scan withheld it).</summary>
    private static ReadOnlyMemory<byte> Without(ReadOnlyMemory<byte> line, Dictionary<string, string> hidden, RequestId id)
    {
        if (hidden.Count == 0 || !ResultLocator.TryFind(line, out var result))
        {
            return line;
        }

        using var document = JsonDocument.Parse(result);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name != "tools" || member.Value.ValueKind != JsonValueKind.Array)
                {
                    member.WriteTo(writer);
                    continue;
                }

                writer.WriteStartArray("tools");
                foreach (var tool in member.Value.EnumerateArray())
                {
                    if (!(tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("name", out var name)
                          && name.ValueKind == JsonValueKind.String && hidden.ContainsKey(name.GetString()!)))
                    {
                        tool.WriteTo(writer);
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return ToolGuard.Compose(id, buffer.WrittenMemory);
    }
}
