namespace Smcp.Proxy.Guard;

/// <summary>The audit outcomes the tool-definition scan gives a request instead of <c>ok</c>.</summary>
internal static class ScanOutcomes
{
    /// <summary>A listing with findings that passed unchanged (warn, or block with no high finding).</summary>
    public const string Flagged = "flagged";

    /// <summary>A listing whose entries with a high finding were removed (block).</summary>
    public const string Filtered = "filtered";

    /// <summary>A listing the scan could not read, replaced by an error; or a request naming a removed entry, refused (block).</summary>
    public const string Withheld = "withheld";
}
