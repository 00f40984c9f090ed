using System.Text.RegularExpressions;

namespace Smcp.Proxy.Policy;

/// <summary>
/// The credential shapes the output guard redacts from tool results, each with its rule id: one list, the only place a shape
/// is defined. Non-backtracking, so a hostile result costs time linear in its length; a PEM block without its END line is redacted to the end of the string.
/// </summary>
internal static class CredentialShapes
{
    /// <summary>A match that takes longer than this withholds the answer (it cannot happen in linear time on a bounded line; the bound is there anyway).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static IReadOnlyList<(string Rule, Regex Pattern)> All { get; } =
    [
        ("private-key", Shape(@"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----|$)")),
        ("jwt", Shape(@"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")),
        ("aws-access-key-id", Shape(@"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
        ("github-token", Shape(@"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")),
        ("slack-token", Shape(@"\bxox[baprs]-[A-Za-z0-9-]{10,250}")),
        ("google-api-key", Shape(@"\bAIza[0-9A-Za-z_-]{35}")),
        ("stripe-key", Shape(@"\b[sr]k_(live|test)_[A-Za-z0-9]{16,255}")),
        ("sk-api-key", Shape(@"\bsk-[A-Za-z0-9_-]{20,255}")),
    ];

    private static Regex Shape(string pattern) => new(pattern, Options, MatchTimeout);
}
