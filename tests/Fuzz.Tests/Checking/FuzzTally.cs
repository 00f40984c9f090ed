using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Smcp.Fuzz.Tests.Generation;
using Smcp.Fuzz.Tests.Sending;

namespace Smcp.Fuzz.Tests.Checking;

/// <summary>Counts of a fuzz run by status and body kind, and the failures found (every one counted, the first ones kept in full).</summary>
internal sealed class FuzzTally
{
    private const int KeptFailures = 25;

    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private readonly ConcurrentDictionary<BodyKind, long> _byKind = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private long _requests;
    private long _failureCount;
    private long _cutOff;
    private long _slow;

    public long Requests => Interlocked.Read(ref _requests);

    public long FailureCount => Interlocked.Read(ref _failureCount);

    public IReadOnlyCollection<string> Failures => _failures;

    public void Add(HostileRequest request, Reply reply, string? failure)
    {
        Interlocked.Increment(ref _requests);
        _byStatus.AddOrUpdate(reply.Status, 1, (_, n) => n + 1);
        _byKind.AddOrUpdate(request.Kind, 1, (_, n) => n + 1);
        if (reply.Broken && failure is null)
        {
            Interlocked.Increment(ref _cutOff);
        }

        if (request.SlowChunks > 0)
        {
            Interlocked.Increment(ref _slow);
        }

        if (failure is not null && Interlocked.Increment(ref _failureCount) <= KeptFailures)
        {
            _failures.Enqueue($"{failure}\n    request: {request}");
        }
    }

    /// <summary>Counts by status class (0xx: no response, a connection the host closed on an oversize or slow body).</summary>
    public IReadOnlyDictionary<string, long> ByClass() =>
        _byStatus.GroupBy(s => $"{s.Key / 100}xx").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    public string Summary(string seed, TimeSpan duration, Memory before, Memory after) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["requests"] = Requests,
        ["seed"] = seed,
        ["durationSeconds"] = Math.Round(duration.TotalSeconds, 1),
        ["byClass"] = ByClass(),
        ["byStatus"] = _byStatus.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
        ["byBodyKind"] = _byKind.OrderBy(k => k.Key).ToDictionary(k => k.Key.ToString(), k => k.Value),
        ["cutOffAfterRefusal"] = Interlocked.Read(ref _cutOff),
        ["slowSenders"] = Interlocked.Read(ref _slow),
        ["failures"] = FailureCount,
        ["managedMiB"] = new[] { before.ManagedMiB, after.ManagedMiB },
        ["rssMiB"] = new[] { before.RssMiB, after.RssMiB },
    });
}
