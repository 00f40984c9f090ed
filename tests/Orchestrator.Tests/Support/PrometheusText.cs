using System.Globalization;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>A scrape in the Prometheus text format, read just far enough to find a sample by name and labels.</summary>
internal sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include every pair given; null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        double? found = null;
        foreach (Match match in Sample().Matches(Text))
        {
            if (match.Groups["name"].Value != name)
            {
                continue;
            }

            var have = Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups["k"].Value, l => l.Groups["v"].Value);
            if (labels.All(l => have.TryGetValue(l.Label, out var v) && v == l.Value))
            {
                Assert.That(found, Is.Null, $"More than one {name} sample has the labels {string.Join(", ", labels)}");
                found = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return found;
    }

    /// <summary>The metric families the scrape declares (<c># TYPE name kind</c>).</summary>
    public IReadOnlyDictionary<string, string> Types() =>
        TypeLine().Matches(Text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["kind"].Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(\\.|[^""\\])*)""")]
    private static partial Regex Label();

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<kind>\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
