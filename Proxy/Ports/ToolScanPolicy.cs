namespace Smcp.Proxy.Ports;

/// <summary>What the proxy does with the findings of the tool-definition scan of a server's listings.</summary>
public enum ToolScanPolicy
{
    /// <summary>Listings pass unscanned.</summary>
    Off,

    /// <summary>Listings pass unchanged; findings go to the audit row of the list request.</summary>
    Warn,

    /// <summary>Entries with a high-severity finding are removed from the listing and calls to them are refused; findings are audited.</summary>
    Block,
}
