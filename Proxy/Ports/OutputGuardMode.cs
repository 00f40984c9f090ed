namespace Smcp.Proxy.Ports;

/// <summary>What the proxy does to a server's <c>tools/call</c> answers: <c>outputGuard</c> in smcp.yaml.</summary>
public enum OutputGuardMode
{
    /// <summary>Answers pass unscanned.</summary>
    Off,

    /// <summary>The server's own secret values and credential-shaped strings are replaced by <c>[redacted:rule]</c>; audited.</summary>
    Redact,
}
