namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Collects findings, listing at most a few per code so a layer with a million bad files still gives a short report.</summary>
internal sealed class FindingCollector
{
    private const int MaxListedPerCode = 20;

    private readonly List<VettingFinding> listed = [];
    private readonly Dictionary<string, (int Count, FindingSeverity Severity)> perCode = new(StringComparer.Ordinal);

    public bool HasErrors => perCode.Values.Any(c => c.Severity == FindingSeverity.Error);

    public void Add(VettingFinding finding) => Add(finding, 1);

    public void Error(string code, string message, string? path = null) =>
        Add(new VettingFinding { Severity = FindingSeverity.Error, Code = code, Message = message, Path = path });

    /// <summary>Adds everything <paramref name="other"/> holds, including what it counted but did not list.</summary>
    public void AddAll(FindingCollector other)
    {
        foreach (var finding in other.listed)
        {
            Add(finding);
        }

        foreach (var (code, (count, severity)) in other.perCode.Where(c => c.Value.Count > MaxListedPerCode))
        {
            var unlisted = count - MaxListedPerCode;
            var (mine, _) = perCode.GetValueOrDefault(code);
            perCode[code] = (mine + unlisted, severity);
        }
    }

    public IReadOnlyList<VettingFinding> ToList()
    {
        var all = new List<VettingFinding>(listed);
        foreach (var (code, (count, severity)) in perCode.Where(c => c.Value.Count > MaxListedPerCode).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            all.Add(new VettingFinding
            {
                Severity = severity,
                Code = code,
                Message = $"{count - MaxListedPerCode} more {code} findings like the ones above are not listed.",
            });
        }

        return all;
    }

    private void Add(VettingFinding finding, int count)
    {
        var (seen, _) = perCode.GetValueOrDefault(finding.Code);
        perCode[finding.Code] = (seen + count, finding.Severity);
        if (seen < MaxListedPerCode)
        {
            listed.Add(finding);
        }
    }
}
