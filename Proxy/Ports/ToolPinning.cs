namespace Smcp.Proxy.Ports;

/// <summary>What the proxy does when a server's tool listing differs from the tools pinned for it.</summary>
public enum ToolPinningPolicy
{
    /// <summary>Listings are not compared, nothing is recorded.</summary>
    Off,

    /// <summary>Listings pass unchanged; a difference from the pins is audited and kept for a tenant admin to approve.</summary>
    Warn,

    /// <summary>As warn, and tools that were added, renamed or changed are removed from the listing and calls to them refused until approved.</summary>
    Block,
}

/// <summary>One pinned tool: its name and the SHA-256 (hex) of its canonical JSON, with and without the name.</summary>
/// <param name="Hash">Over the whole canonical JSON (name, title, description, inputSchema, outputSchema, annotations).</param>
/// <param name="ContentHash">Over the same without the name: equal content under another name is a rename.</param>
public sealed record ToolPin(string Name, string Hash, string ContentHash);

/// <summary>The approved pins of one server, as loaded when a session starts.</summary>
/// <param name="Version">The server version the pins were first recorded or last approved for.</param>
public sealed record ToolPinSet(string Version, IReadOnlyList<ToolPin> Tools);

/// <summary>A tool as a listing showed it: its pin, and its canonical JSON for the diff (null when over the kept bound).</summary>
public sealed record ObservedTool(ToolPin Pin, string? Canonical);

/// <summary>What a session saw in a listing that the store should keep.</summary>
public enum PinObservationKind
{
    /// <summary>The server had no pins: this listing is pinned as it is (trust on first use).</summary>
    FirstUse,

    /// <summary>The listing differs from the approved pins: kept as the pending change a tenant admin may approve.</summary>
    Changed,
}

/// <summary>A listing to record, handed to the recorder once per distinct listing, never per message.</summary>
/// <param name="ListingHash">SHA-256 (hex) over the observed tools' hashes in order: what an approval names.</param>
/// <param name="Changes">The difference from the approved pins, for the pending change; empty on first use.</param>
public sealed record ToolPinObservation(
    string Tenant, string Server, string Version, PinObservationKind Kind, string ListingHash,
    IReadOnlyList<ObservedTool> Tools, ToolPinChanges Changes);

/// <summary>How a listing differs from the approved pins, by tool name.</summary>
public sealed record ToolPinChanges(
    IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<ToolRename> Renamed, IReadOnlyList<string> Changed)
{
    public static ToolPinChanges None { get; } = new([], [], [], []);

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Renamed.Count == 0 && Changed.Count == 0;
}

/// <summary>A tool whose content equals a pinned tool's under another name.</summary>
public sealed record ToolRename(string From, string To);
