using System.Globalization;

namespace Smcp.Bench;

/// <summary>
/// CPU time taken by every process on the machine, grouped by program (from /proc/*/stat), so a window
/// can say where its CPU went per call: the bench itself (client and, for SMCP, the proxy), dockerd,
/// containerd and its shims, the servers, gVisor.
/// </summary>
internal static class CpuUsage
{
    /// <summary>The bench process itself: the clients, and for SMCP the proxy, which runs in it.</summary>
    public const string Bench = "bench (client + proxy)";

    public const string Total = "total";

    /// <summary>The program groups a window's CPU is told by, in the order the reports show them.</summary>
    public static readonly string[] Groups = [Bench, "node", "dockerd", "shim", "runsc", "other"];

    private const double TicksPerSecond = 100;

    /// <summary>Seconds of CPU (user + system) per group, summed over the processes alive now.</summary>
    public static Dictionary<string, double> Snapshot()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!char.IsAsciiDigit(pid[0]))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, so split after the last ')'.
            var close = stat.LastIndexOf(')');
            var comm = stat[(stat.IndexOf('(') + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            var group = pid == self ? Bench : Group(comm);
            totals[group] = totals.GetValueOrDefault(group) + seconds;
        }

        return totals;
    }

    /// <summary>Microseconds of CPU per call in each group between two snapshots, and their total under "total".</summary>
    public static Dictionary<string, double> PerCall(Dictionary<string, double> before, Dictionary<string, double> after, double calls)
    {
        var perCall = after
            .Select(a => (Group: a.Key, Seconds: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(p => p.Seconds > 0)
            .ToDictionary(p => p.Group, p => p.Seconds * 1e6 / calls, StringComparer.Ordinal);
        perCall[Total] = perCall.Values.Sum();
        return perCall;
    }

    public static string Describe(Dictionary<string, double> perCall) =>
        $"CPU µs/call: total {perCall[Total]:0} = "
        + string.Join(", ", perCall.Where(p => p.Key != Total).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:0}"));

    private static string Group(string comm) => comm switch
    {
        "dockerd" => "dockerd",
        "containerd" => "containerd",
        _ when comm.StartsWith("containerd-shim", StringComparison.Ordinal) => "shim",
        "node" or "MainThread" => "node",
        _ when comm.StartsWith("runsc", StringComparison.Ordinal) || comm.StartsWith("exe", StringComparison.Ordinal) => "runsc",
        "postgres" => "postgres",
        _ => "other",
    };
}
