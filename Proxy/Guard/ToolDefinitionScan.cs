using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Smcp.Proxy.Guard;

/// <summary>One finding of the tool-definition scan on one tool of a stored set.</summary>
/// <param name="Tool">The index of the tool in the set scanned.</param>
/// <param name="Severity"><c>high</c> or <c>low</c>.</param>
/// <param name="Pointer">Where in the tool, as a JSON pointer into the tool's own JSON (e.g. <c>/description</c>), cut to 128 characters.</param>
/// <param name="Excerpt">At most 64 characters around the match, invisible characters spelled out.</param>
public sealed record ToolDefinitionFinding(int Tool, string Rule, string Severity, string Pointer, string Excerpt);

/// <summary>The tool-definition scan for what the proxy did not just forward: tool definitions kept as pins, read back for review.</summary>
/// <remarks>
/// The tools are scanned together as one <c>tools/list</c> result, so a description naming a sibling tool is judged as the
/// proxy judged the listing; the rules are today's, so a pin recorded before a rule existed shows what that rule finds now.
/// </remarks>
public static class ToolDefinitionScan
{
    /// <summary>The findings (at most 256) on <paramref name="tools"/>, each one tool's JSON object.</summary>
    public static IReadOnlyList<ToolDefinitionFinding> Scan(IReadOnlyList<string> tools)
    {
        var result = new StringBuilder("{\"tools\":[");
        result.AppendJoin(',', tools).Append("]}");
        using var document = JsonDocument.Parse(result.ToString());
        var verdict = ListingScanner.Scan(ListingKind.Tools, document.RootElement);
        var findings = new List<ToolDefinitionFinding>(verdict.Findings.Count);
        foreach (var finding in verdict.Findings)
        {
            var (tool, pointer) = Split(finding.Pointer);
            findings.Add(new ToolDefinitionFinding(
                tool, finding.Rule, finding.Severity == FindingSeverity.High ? "high" : "low", ScanAudit.Cut(pointer), finding.Excerpt));
        }

        return findings;
    }

    /// <summary><c>/tools/3/inputSchema/…</c> as tool 3 and <c>/inputSchema/…</c>; a finding on the result itself as tool -1.</summary>
    private static (int Tool, string Pointer) Split(string pointer)
    {
        const string Prefix = "/tools/";
        if (!pointer.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (-1, pointer);
        }

        var end = pointer.IndexOf('/', Prefix.Length);
        var index = end < 0 ? pointer[Prefix.Length..] : pointer[Prefix.Length..end];
        return int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var tool)
            ? (tool, end < 0 ? "" : pointer[end..])
            : (-1, pointer);
    }
}
