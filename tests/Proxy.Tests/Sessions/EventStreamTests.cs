using System.Text;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Tests.Sessions;

public sealed class EventStreamTests
{
    [Test]
    public async Task Read_after_an_event_returns_exactly_the_later_events()
    {
        var stream = new EventStream(3, maxEvents: 10, maxBytes: 1024, new ReplayBudget(1 << 20));
        foreach (var text in new[] { "a", "b", "c" })
        {
            stream.AppendNotice(Encoding.UTF8.GetBytes(text));
        }

        var read = await stream.ReadAfterAsync(1, CancellationToken.None);

        Assert.That(read.Events.Select(e => Encoding.UTF8.GetString(e.Data.Span)), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(read.Events.Select(e => stream.EventId(e.Sequence)), Is.EqualTo(new[] { "3_2", "3_3" }));
    }

    [Test]
    public async Task Events_evicted_from_the_bounded_buffer_are_reported_as_a_gap_and_the_kept_ones_still_read()
    {
        var stream = new EventStream(0, maxEvents: 2, maxBytes: 1024, new ReplayBudget(1 << 20));
        for (var i = 0; i < 5; i++)
        {
            stream.AppendNotice(new byte[] { (byte)'x' });
        }

        var read = await stream.ReadAfterAsync(1, CancellationToken.None);
        var kept = await stream.ReadAfterAsync(3, CancellationToken.None);

        Assert.That((read.Gap, kept.Gap), Is.EqualTo((true, false)));
        Assert.That(read.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 4, 5 }), "a reader past a gap goes on with what is kept");
        Assert.That(kept.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 4, 5 }));
    }

    [Test]
    public async Task Reader_waiting_at_the_end_is_woken_by_the_next_event_and_sees_completion()
    {
        var stream = new EventStream(1, maxEvents: 10, maxBytes: 1024, new ReplayBudget(1 << 20));
        var waiting = stream.ReadAfterAsync(0, CancellationToken.None).AsTask();
        stream.AppendAnswer("{}"u8.ToArray(), reserved: 0, complete: true);
        var first = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        var end = await stream.ReadAfterAsync(1, CancellationToken.None);

        Assert.That(first.Events.Select(e => e.IsResponse), Is.EqualTo(new[] { true }));
        Assert.That((end.Completed, end.Events.Count), Is.EqualTo((true, 0)));
    }

    [TestCase("2_17", true, 2, 17L)]
    [TestCase("0_0", true, 0, 0L)]
    [TestCase("abc", false, 0, 0L)]
    [TestCase("-1_2", false, 0, 0L)]
    public void Event_ids_read_back_into_stream_and_sequence(string id, bool valid, int stream, long sequence)
    {
        var parsed = EventStream.TryParseEventId(id, out var parsedStream, out var parsedSequence);

        Assert.That((parsed, parsed ? parsedStream : 0, parsed ? parsedSequence : 0L), Is.EqualTo((valid, stream, sequence)));
    }
}
