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
            stream.Append(Encoding.UTF8.GetBytes(text), isResponse: false);
        }

        var read = await stream.ReadAfterAsync(1, CancellationToken.None);

        Assert.That(read.Events.Select(e => Encoding.UTF8.GetString(e.Data.Span)), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(read.Events.Select(e => stream.EventId(e.Sequence)), Is.EqualTo(new[] { "3_2", "3_3" }));
    }

    [Test]
    public async Task Streams_of_one_session_share_its_replay_budget_and_a_forgotten_stream_gives_its_bytes_back()
    {
        var budget = new ReplayBudget(100);
        var answered = new EventStream(1, maxEvents: 10, maxBytes: 1024, budget);
        var growing = new EventStream(0, maxEvents: 10, maxBytes: 1024, budget);
        answered.Append(new byte[80], isResponse: true);
        for (var i = 0; i < 3; i++)
        {
            growing.Append(new byte[30], isResponse: false);
        }

        var squeezed = await growing.ReadAfterAsync(2, CancellationToken.None);
        Assert.That(squeezed.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 3 }), "over the session's budget, the growing stream keeps only its newest event");
        Assert.That((await growing.ReadAfterAsync(0, CancellationToken.None)).Gap, Is.True);
        Assert.That(budget.IsOver, Is.True, "80 + 30 bytes: one event is always kept");

        answered.Forget();
        growing.Append(new byte[30], isResponse: false);
        var roomy = await growing.ReadAfterAsync(2, CancellationToken.None);
        Assert.That(roomy.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 3, 4 }), "the forgotten stream's bytes are free again");
        Assert.That(budget.IsOver, Is.False);
    }

    [Test]
    public async Task Sessions_share_the_proxy_wide_replay_budget_so_one_full_session_squeezes_another()
    {
        var proxy = new ReplayBudget(100);
        var quiet = new ReplayBudget(1 << 20, proxy);
        var busy = new ReplayBudget(1 << 20, proxy);
        var held = new EventStream(1, maxEvents: 10, maxBytes: 1024, quiet);
        var growing = new EventStream(0, maxEvents: 10, maxBytes: 1024, busy);
        held.Append(new byte[80], isResponse: true);
        for (var i = 0; i < 3; i++)
        {
            growing.Append(new byte[30], isResponse: false);
        }

        Assert.That((await growing.ReadAfterAsync(0, CancellationToken.None)).Gap, Is.True, "within its own session budget, but the proxy's is spent");
        Assert.That(busy.IsOver, Is.True);

        held.Forget();
        growing.Append(new byte[30], isResponse: false);
        Assert.That((await growing.ReadAfterAsync(2, CancellationToken.None)).Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 3, 4 }),
            "the other session's bytes are free again");
        Assert.That(proxy.IsOver, Is.False);
    }

    [Test]
    public async Task A_posts_stream_keeps_every_answer_over_the_budget_and_an_ended_session_gives_its_bytes_back()
    {
        var proxy = new ReplayBudget(100);
        var session = new ReplayBudget(1 << 20, proxy);
        var exchange = new EventStream(5, maxEvents: 10, maxBytes: 1024, session);
        for (var i = 0; i < 3; i++)
        {
            exchange.Append(new byte[60], isResponse: true);
        }

        var read = await exchange.ReadAfterAsync(0, CancellationToken.None);
        Assert.That((read.Gap, read.Events.Count), Is.EqualTo((false, 3)), "answers a client waits for are not dropped for the budget");
        Assert.That(proxy.IsOver, Is.True);

        session.Detach();
        Assert.That(proxy.IsOver, Is.False, "the ended session's 180 bytes went back");

        exchange.Append(new byte[200], isResponse: true);
        Assert.That(proxy.IsOver, Is.False, "a slow reader may still drain the ended session's streams; they no longer weigh on the proxy");
    }

    [Test]
    public async Task Events_evicted_from_the_bounded_buffer_are_reported_as_a_gap()
    {
        var stream = new EventStream(0, maxEvents: 2, maxBytes: 1024, new ReplayBudget(1 << 20));
        for (var i = 0; i < 5; i++)
        {
            stream.Append(new byte[] { (byte)'x' }, isResponse: false);
        }

        var read = await stream.ReadAfterAsync(1, CancellationToken.None);
        var kept = await stream.ReadAfterAsync(3, CancellationToken.None);

        Assert.That(read.Gap, Is.True);
        Assert.That(kept.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 4, 5 }));
    }

    [Test]
    public async Task Reader_waiting_at_the_end_is_woken_by_the_next_event_and_sees_completion()
    {
        var stream = new EventStream(1, maxEvents: 10, maxBytes: 1024, new ReplayBudget(1 << 20));
        var waiting = stream.ReadAfterAsync(0, CancellationToken.None).AsTask();
        stream.Append("{}"u8.ToArray(), isResponse: true);
        stream.Complete();
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
