using System.Diagnostics;
using System.Runtime;

namespace Smcp.Fuzz.Tests.Checking;

/// <summary>The process's managed heap (after a full, compacting collection) and its resident set, in MiB.</summary>
internal sealed record Memory(double ManagedMiB, double RssMiB)
{
    public static Memory Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return new Memory(Math.Round(GC.GetTotalMemory(forceFullCollection: false) / 1048576.0, 1), Math.Round(process.WorkingSet64 / 1048576.0, 1));
    }
}
