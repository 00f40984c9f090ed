using System.Globalization;
using System.Text;

namespace Smcp.Bench;

/// <summary>What one run measured, printed as the tables of bench/README.md and a CSV for the plot.</summary>
internal sealed class Report(int[] sessionCounts)
{
    private static readonly (string Name, string Label)[] Systems =
    [
        ("host", "host process (node 22, stdio, no sandbox)"),
        ("attach-runc", "raw Engine API attach, runc"),
        ("attach-runsc", "raw Engine API attach, runsc"),
        ("smcp-runc", "SMCP, runc"),
        ("smcp-runsc", "SMCP, runsc"),
        ("supergateway", "supergateway 4.0.0 --stateful (no sandbox)"),
    ];

    public Dictionary<string, (double P50, double P99)> Latency { get; } = [];

    public Dictionary<string, double> ServerSide { get; } = [];

    public Dictionary<(string System, int Sessions), List<double>> Throughput { get; } = [];

    public Dictionary<(string System, int Sessions), string> Notes { get; } = [];

    public Dictionary<int, List<double>> AuditWriter { get; } = [];

    public long? AuditRowsInDatabase { get; set; }

    public (int Sessions, List<double> Off, List<double> On, long Rows)? AuditCost { get; set; }

    private double? Rate(string system, int sessions) =>
        Throughput.TryGetValue((system, sessions), out var rates) ? Measure.Median(rates) : null;

    private static string F(double? value, string format) => value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "—";

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| system | 1 session p50 (ms) | p99 (ms) | " + string.Join(" | ", sessionCounts.Select(n => $"calls/s, {n} session{(n == 1 ? "" : "s")}")) + " |");
        text.AppendLine("|---|---|---|" + string.Concat(sessionCounts.Select(_ => "---|")));
        foreach (var (name, label) in Systems.Where(s => Latency.ContainsKey(s.Name) || Notes.Keys.Any(k => k.System == s.Name)))
        {
            var latency = Latency.TryGetValue(name, out var l) ? l : (double.NaN, double.NaN);
            text.Append(CultureInfo.InvariantCulture, $"| {label} | {F(latency.Item1, "0.00")} | {F(latency.Item2, "0.00")} |");
            foreach (var n in sessionCounts)
            {
                text.Append(' ').Append(Throughput.ContainsKey((name, n)) ? F(Rate(name, n), "0") : Notes.TryGetValue((name, n), out var note) ? note : "not run").Append(" |");
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Every calls/s cell: median of the windows; every window's value:");
        text.AppendLine();
        foreach (var ((system, n), rates) in Throughput.OrderBy(t => t.Key.System, StringComparer.Ordinal).ThenBy(t => t.Key.Sessions))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {system} ×{n}: {string.Join(", ", rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}");
        }

        text.AppendLine();
        text.AppendLine("| ratio | value | target |");
        text.AppendLine("|---|---|---|");
        foreach (var runtime in new[] { "runc", "runsc" })
        {
            var overhead = Latency.TryGetValue($"smcp-{runtime}", out var smcp) && Latency.TryGetValue($"attach-{runtime}", out var raw) ? smcp.P50 - raw.P50 : (double?)null;
            text.AppendLine(CultureInfo.InvariantCulture, $"| SMCP p50 − raw attach p50, {runtime} | {F(overhead, "+0.00;-0.00")} ms | ≤ 0.3 ms |");
            if (ServerSide.TryGetValue($"smcp-{runtime}", out var server))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| SMCP server-side time per call (Kestrel pipeline, p50), {runtime} | {server:0.00} ms | — |");
            }
        }

        var sixteen = sessionCounts.Where(n => n <= 16).DefaultIfEmpty(sessionCounts[0]).Max();
        foreach (var runtime in new[] { "runc", "runsc" })
        {
            text.AppendLine($"| SMCP / raw attach calls/s, {sixteen} sessions, {runtime} | {F(Rate($"smcp-{runtime}", sixteen) / Rate($"attach-{runtime}", sixteen), "0.00")} | ≥ 0.90 |");
            text.AppendLine($"| SMCP {runtime} / supergateway calls/s, {sixteen} sessions | {F(Rate($"smcp-{runtime}", sixteen) / Rate("supergateway", sixteen), "0.00")} | {(runtime == "runc" ? "≥ 2" : "—")} |");
        }

        if (AuditWriter.Count > 0 || AuditCost is not null)
        {
            text.AppendLine();
            text.AppendLine("| audit | value |");
            text.AppendLine("|---|---|");
            foreach (var (tenants, rates) in AuditWriter)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| AuditWriter alone, {tenants} tenant{(tenants == 1 ? "" : "s")}: rows/s (median; runs: {string.Join(", ", rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}) | {Measure.Median(rates):0} |");
            }

            if (AuditCost is { } cost)
            {
                var off = Measure.Median(cost.Off);
                var on = Measure.Median(cost.On);
                text.AppendLine(CultureInfo.InvariantCulture, $"| SMCP runc, {cost.Sessions} sessions, no-op recorder: calls/s (windows: {string.Join(", ", cost.Off.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}) | {off:0} |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| SMCP runc, {cost.Sessions} sessions, AuditWriter into Postgres: calls/s (windows: {string.Join(", ", cost.On.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}) | {on:0} |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| cost of auditing every request (target ≤ 10%) | {(1 - (on / off)) * 100:0.0}% |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| audit rows committed during the audited windows | {cost.Rows} |");
            }

            if (AuditRowsInDatabase is { } rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| audit_log rows in the bench database at the end | {rows} |");
            }
        }

        return text.ToString();
    }

    public string Csv()
    {
        var text = new StringBuilder("system,label,sessions,calls_per_s\n");
        foreach (var (name, label) in Systems)
        {
            foreach (var n in sessionCounts)
            {
                if (Rate(name, n) is { } rate)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name},{label.Replace(',', ';')},{n},{rate:0.0}\n");
                }
            }
        }

        return text.ToString();
    }
}
