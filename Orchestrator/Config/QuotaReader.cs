using System.Globalization;
using Smcp.Sandbox;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads a <c>quotas:</c> (or <c>defaults:</c>) mapping on top of the quotas it inherits.</summary>
internal static class QuotaReader
{
    public const string MaxServers = "maxServers";
    public const string MaxSessions = "maxSessions";
    public const string RequestsPerMinute = "requestsPerMinute";
    public const string MaxImageBytes = "maxImageBytes";
    public const string TotalImageBytes = "totalImageBytes";
    public const string MaxConcurrentUploads = "maxConcurrentUploads";
    public const string SessionIdleTimeout = "sessionIdleTimeout";
    public const string Memory = "memory";
    public const string Cpus = "cpus";
    public const string Pids = "pids";
    public const string WarmPoolSize = "warmPoolSize";
    public const string Runtime = "runtime";
    public const string SessionStartsPerMinute = "sessionStartsPerMinute";
    public const string ReclaimIdleAfter = "reclaimIdleAfter";

    // Under runsc the gVisor sentry's and gofer's own threads count against the limit (an idle node server uses ~59).
    private const long MinGvisorPids = 128;

    private static readonly string[] Keys =
        [MaxServers, MaxSessions, RequestsPerMinute, MaxImageBytes, TotalImageBytes, MaxConcurrentUploads, SessionIdleTimeout, Memory, Cpus, Pids, WarmPoolSize, Runtime,
         SessionStartsPerMinute, ReclaimIdleAfter];

    private static readonly Dictionary<string, string> Runtimes = new(StringComparer.Ordinal)
    {
        [SandboxRuntimes.Gvisor] = SandboxRuntimes.Gvisor,
        [SandboxRuntimes.Runc] = SandboxRuntimes.Runc,
    };

    /// <summary>Every field the mapping sets replaces the inherited one; mistakes go to the reader and leave the inherited value.</summary>
    /// <param name="alsoAllowed">Keys the same mapping may hold that the caller reads (<c>defaults.toolScan</c>).</param>
    public static TenantQuotas Read(NodeReader reader, YamlNode node, string path, TenantQuotas inherited, params string[] alsoAllowed)
    {
        if (reader.Mapping(node, path, alsoAllowed.Length == 0 ? Keys : [.. Keys, .. alsoAllowed]) is not { } set)
        {
            return inherited;
        }

        var quotas = inherited;
        string At(string key) => NodeReader.Join(path, key);
        YamlNode? Node(string key) => set.GetValueOrDefault(key);

        if (Node(MaxServers) is { } maxServers && reader.Int(maxServers, At(MaxServers), min: 0) is { } servers)
        {
            quotas = quotas with { MaxServers = servers };
        }

        if (Node(MaxSessions) is { } maxSessions && reader.Int(maxSessions, At(MaxSessions), min: 1) is { } sessions)
        {
            quotas = quotas with { MaxSessions = sessions };
        }

        if (Node(RequestsPerMinute) is { } rpm && reader.Int(rpm, At(RequestsPerMinute), min: 1) is { } requests)
        {
            quotas = quotas with { RequestsPerMinute = requests };
        }

        if (Node(MaxImageBytes) is { } maxImage && reader.Size(maxImage, At(MaxImageBytes), min: 1L << 20) is { } imageBytes)
        {
            quotas = quotas with { MaxImageBytes = imageBytes };
        }

        if (Node(TotalImageBytes) is { } totalImage && reader.Size(totalImage, At(TotalImageBytes), min: 1L << 20) is { } totalBytes)
        {
            quotas = quotas with { TotalImageBytes = totalBytes };
        }

        if (Node(MaxConcurrentUploads) is { } uploads && reader.Int(uploads, At(MaxConcurrentUploads), min: 1) is { } concurrentUploads)
        {
            quotas = quotas with { MaxConcurrentUploads = concurrentUploads };
        }

        if (Node(SessionIdleTimeout) is { } idle
            && reader.Duration(idle, At(SessionIdleTimeout), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) is { } idleTimeout)
        {
            quotas = quotas with { SessionIdleTimeout = idleTimeout };
        }

        if (Node(Memory) is { } memory && reader.Size(memory, At(Memory), min: 16L << 20) is { } memoryBytes)
        {
            quotas = quotas with { MemoryBytes = memoryBytes };
        }

        if (Node(Cpus) is { } cpus && reader.Number(cpus, At(Cpus), exclusiveMin: 0, max: 64) is { } cpuShare)
        {
            quotas = quotas with { Cpus = cpuShare };
        }

        if (Node(Pids) is { } pids && reader.Int(pids, At(Pids), min: 8) is { } pidsLimit)
        {
            quotas = quotas with { Pids = pidsLimit };
        }

        if (Node(WarmPoolSize) is { } warm && reader.Int(warm, At(WarmPoolSize), min: 0) is { } warmSize)
        {
            quotas = quotas with { WarmPoolSize = warmSize };
        }

        if (Node(Runtime) is { } runtime && reader.TryChoice(runtime, At(Runtime), "a runtime", Runtimes, out var runtimeName))
        {
            quotas = quotas with { Runtime = runtimeName };
        }

        if (Node(SessionStartsPerMinute) is { } starts && reader.Int(starts, At(SessionStartsPerMinute), min: 1) is { } startsPerMinute)
        {
            quotas = quotas with { SessionStartsPerMinute = startsPerMinute };
        }

        if (Node(ReclaimIdleAfter) is { } reclaim
            && reader.Duration(reclaim, At(ReclaimIdleAfter), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) is { } reclaimAfter)
        {
            quotas = quotas with { ReclaimIdleAfter = reclaimAfter };
        }

        CheckTogether(reader, set, path, quotas);
        return quotas;
    }

    // A rule between two fields is checked where either is set, so a tenant is blamed only for what it changed.
    private static void CheckTogether(NodeReader reader, Dictionary<string, YamlNode> set, string path, TenantQuotas quotas)
    {
        void Check(bool ok, string first, string second, string message)
        {
            var key = set.ContainsKey(first) ? first : second;
            if (!ok && set.TryGetValue(key, out var node))
            {
                reader.Error(node, NodeReader.Join(path, key), message);
            }
        }

        Check(quotas.WarmPoolSize <= quotas.MaxSessions, WarmPoolSize, MaxSessions,
            $"warmPoolSize {quotas.WarmPoolSize} is more than maxSessions {quotas.MaxSessions}; warm sandboxes count against maxSessions");
        Check(quotas.MaxImageBytes <= quotas.TotalImageBytes, MaxImageBytes, TotalImageBytes,
            $"maxImageBytes {ConfigUnits.FormatSize(quotas.MaxImageBytes)} is more than totalImageBytes {ConfigUnits.FormatSize(quotas.TotalImageBytes)}");
        Check(quotas.Pids is not { } pids || pids >= MinGvisorPids || quotas.Runtime != SandboxRuntimes.Gvisor, Pids, Runtime,
            string.Create(CultureInfo.InvariantCulture,
                $"pids {quotas.Pids} is too low under runsc, whose own threads count against it; use at least {MinGvisorPids}, or runtime: runc"));
    }
}
