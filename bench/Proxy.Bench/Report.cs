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
        ("smcp-runc-jwt", "SMCP, runc, OAuth access token (ES256 JWT) instead of an API key"),
        ("smcp-runsc", "SMCP, runsc"),
        ("supergateway", "supergateway 4.0.0 --stateful (no sandbox)"),
        ("http-floor", "HTTP floor: the same client and Kestrel, answered at once (no proxy, no sandbox)"),
    ];

    public Dictionary<string, (double P50, double P99)> Latency { get; } = [];

    public Dictionary<string, double> ServerSide { get; } = [];

    public Dictionary<(string System, int Sessions), List<double>> Throughput { get; } = [];

    public Dictionary<(string System, int Sessions), string> Notes { get; } = [];

    public Dictionary<int, List<double>> AuditWriter { get; } = [];

    public long? AuditRowsInDatabase { get; set; }

    /// <summary>Sessions per system in the side-by-side phase.</summary>
    public int SideBySideSessions { get; init; }

    public int SideBySideWarmupCalls { get; init; }

    /// <summary>The side-by-side phase's windows, per system, in the order they ran.</summary>
    public Dictionary<string, List<Window>> SideBySide { get; } = [];

    public string? SideBySideNote { get; set; }

    private double? Paired(string system) =>
        SideBySide.TryGetValue(system, out var windows) ? Measure.Median(windows.Select(w => w.CallsPerSecond)) : null;

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
            text.AppendLine($"| SMCP / raw attach calls/s, {sixteen} sessions, {runtime}, systems one after another | {F(Rate($"smcp-{runtime}", sixteen) / Rate($"attach-{runtime}", sixteen), "0.00")} | ≥ 0.90 |");
            text.AppendLine($"| SMCP {runtime} / supergateway calls/s, {sixteen} sessions, systems one after another | {F(Rate($"smcp-{runtime}", sixteen) / Rate("supergateway", sixteen), "0.00")} | {(runtime == "runc" ? "≥ 2" : "—")} |");
        }

        if (SideBySide.Count > 0 || SideBySideNote is not null)
        {
            AppendSideBySide(text);
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

    private void AppendSideBySide(StringBuilder text)
    {
        var groups = CpuUsage.Groups;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Side by side, {SideBySideSessions} sessions each, all open at once, every session warmed by {SideBySideWarmupCalls} calls, windows alternating between the systems (medians of the windows; CPU µs per call by program, from /proc):");
        text.AppendLine();
        text.AppendLine("| system | calls/s | windows | CPU µs/call, total | " + string.Join(" | ", groups) + " |");
        text.AppendLine("|---|---|---|---|" + string.Concat(groups.Select(_ => "---|")));
        foreach (var (name, label) in Systems.Where(s => SideBySide.ContainsKey(s.Name)))
        {
            var windows = SideBySide[name];
            text.Append(CultureInfo.InvariantCulture, $"| {label} | {Paired(name):0} | {string.Join(", ", windows.Select(w => w.CallsPerSecond.ToString("0", CultureInfo.InvariantCulture)))} |");
            foreach (var group in groups.Prepend(CpuUsage.Total))
            {
                text.Append(CultureInfo.InvariantCulture, $" {Measure.Median(windows.Select(w => w.CpuPerCall.GetValueOrDefault(group))):0} |");
            }

            text.AppendLine();
        }

        if (SideBySideNote is not null)
        {
            text.AppendLine().AppendLine(SideBySideNote);
        }

        text.AppendLine();
        text.AppendLine("| ratio, side by side | value | target |");
        text.AppendLine("|---|---|---|");
        text.AppendLine($"| SMCP / raw attach calls/s, {SideBySideSessions} sessions, runc | {F(Paired("smcp-runc") / Paired("attach-runc"), "0.00")} | ≥ 0.90 |");
        text.AppendLine($"| SMCP / raw attach calls/s, {SideBySideSessions} sessions, runsc | {F(Paired("smcp-runsc") / Paired("attach-runsc"), "0.00")} | ≥ 0.90 |");
        text.AppendLine($"| SMCP runc / supergateway calls/s, {SideBySideSessions} sessions | {F(Paired("smcp-runc") / Paired("supergateway"), "0.00")} | ≥ 2 |");
        text.AppendLine($"| SMCP with a JWT / with an API key calls/s, {SideBySideSessions} sessions, runc | {F(Paired("smcp-runc-jwt") / Paired("smcp-runc"), "0.00")} | — |");
        if (Latency.TryGetValue("smcp-runc-jwt", out var jwt) && Latency.TryGetValue("smcp-runc", out var key))
        {
            text.AppendLine($"| JWT p50 − API key p50, 1 session, runc | {F(jwt.P50 - key.P50, "+0.000;-0.000")} ms | — |");
        }
    }

    /// <summary>The side-by-side phase: calls/s and the median CPU µs per call of each program group, per system.</summary>
    public string SideBySideCsv()
    {
        var groups = CpuUsage.Groups;
        var text = new StringBuilder("system,label,calls_per_s," + string.Join(',', groups.Select(g => "cpu_us_" + g.Split(' ')[0])) + "\n");
        foreach (var (name, label) in Systems.Where(s => SideBySide.ContainsKey(s.Name)))
        {
            var windows = SideBySide[name];
            text.Append(CultureInfo.InvariantCulture, $"{name},{label.Replace(',', ';')},{Paired(name):0.0}");
            foreach (var group in groups)
            {
                text.Append(CultureInfo.InvariantCulture, $",{Measure.Median(windows.Select(w => w.CpuPerCall.GetValueOrDefault(group))):0.0}");
            }

            text.Append('\n');
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
