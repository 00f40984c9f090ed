using System.Buffers;
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

    /// <summary>Each shape with the literals one of which every match holds: a text with none of them skips the pattern (most text, at the cost of a vectorized search).</summary>
    public static IReadOnlyList<CredentialShape> All { get; } =
    [
        Shape("private-key", ["-----BEGIN "], @"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----|$)"),
        Shape("jwt", ["eyJ"], @"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*"),
        Shape("aws-access-key-id", ["AKIA", "ASIA"], @"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
        Shape("github-token", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], @"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
        Shape("slack-token", ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"], @"\bxox[baprs]-[A-Za-z0-9-]{10,250}"),
        Shape("google-api-key", ["AIza"], @"\bAIza[0-9A-Za-z_-]{35}"),
        Shape("stripe-key", ["k_live_", "k_test_"], @"\b[sr]k_(live|test)_[A-Za-z0-9]{16,255}"),
        Shape("sk-api-key", ["sk-"], @"\bsk-[A-Za-z0-9_-]{20,255}"),
    ];

    private static CredentialShape Shape(string rule, string[] anchors, string pattern) =>
        new(rule, SearchValues.Create(anchors, StringComparison.Ordinal), new Regex(pattern, Options, MatchTimeout));
}
