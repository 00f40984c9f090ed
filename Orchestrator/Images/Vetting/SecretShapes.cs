using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Recognises environment variables and arguments that look like credentials baked into an image.</summary>
internal static partial class SecretShapes
{
    public const string Redacted = "[redacted]";

    private static readonly string[] SecretNameParts = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE"];

    /// <summary>True when the name says it holds a credential and the value is not empty, or the value has a known token shape.</summary>
    public static bool IsSuspiciousEnv(string name, string value) =>
        (value.Length > 0 && SecretNameParts.Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase))) || HasTokenShape(value);

    public static bool HasTokenShape(string value) => TokenShape().IsMatch(value);

    // Non-backtracking: values come from untrusted images, so matching must stay linear in their length.
    [GeneratedRegex(
        @"AKIA[0-9A-Z]{16}" +
        @"|\bgh[pousr]_[A-Za-z0-9]{20,}" +
        @"|\bgithub_pat_[A-Za-z0-9_]{20,}" +
        @"|\bsk-[A-Za-z0-9_\-]{16,}" +
        @"|\bxox[abpr]-[A-Za-z0-9\-]{8,}" +
        @"|-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----" +
        @"|\beyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*",
        RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex TokenShape();
}
