using System.Diagnostics;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>Counts the commands Npgsql sends to one database, from Npgsql's own tracing: every round trip a query makes is seen, whoever sends it.</summary>
/// <remarks>Filtered by database name, so other tests' hosts in the same process (each with a database of its own) are not counted.</remarks>
internal sealed class NpgsqlCommandCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private long _count;

    public NpgsqlCommandCounter(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == database)
                {
                    Interlocked.Increment(ref _count);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public long Count => Interlocked.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public void Dispose() => _listener.Dispose();
}
