using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>The byte account of sessions, tenants and the proxy: pure logic over <see cref="EventStream"/> and <see cref="ReplayBudget"/>.</summary>
public sealed class ReplayAccountingTests
{
    [Test]
    public async Task A_streams_notifications_stay_within_its_share_dropping_its_own_oldest()
    {
        var session = new ReplayBudget(1000);
        var stream = new EventStream(1, maxEvents: 100, maxBytes: 100, session);
        for (var i = 0; i < 5; i++)
        {
            stream.AppendNotice(new byte[30]);
        }

        var read = await stream.ReadAfterAsync(0, CancellationToken.None);

        Assert.That(read.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That((read.Gap, stream.BufferedBytes, session.Used, stream.Dropped), Is.EqualTo((true, 90L, 90L, 2L)));
    }

    [Test]
    public async Task Notifications_leave_a_quarter_of_the_session_for_answers_and_an_answer_takes_its_requests_reservation()
    {
        var session = new ReplayBudget(400);
        Assert.That(session.TryTake(50, ReplayUse.Answer), Is.EqualTo(ReplayTake.Taken), "the pending request's reservation");
        var chatty = new EventStream(1, maxEvents: 100, maxBytes: 200, session);
        var other = new EventStream(2, maxEvents: 100, maxBytes: 200, session);
        for (var i = 0; i < 10; i++)
        {
            chatty.AppendNotice(new byte[40]);
            other.AppendNotice(new byte[40]);
        }

        Assert.That(session.Used, Is.EqualTo(290), "notifications stop at three quarters (300): the reservation and six of 40 bytes");
        Assert.That(chatty.Dropped + other.Dropped, Is.EqualTo(14));
        Assert.That(other.AppendAnswer(new byte[140], reserved: 50, complete: true), Is.True, "an answer may use the last quarter");
        Assert.That(session.Used, Is.LessThanOrEqualTo(400));
        var answer = await other.ReadAfterAsync(other.LastSequence - 1, CancellationToken.None);
        Assert.That((answer.Completed, answer.Events[^1].IsResponse), Is.EqualTo((true, true)));
    }

    [Test]
    public async Task An_answer_makes_room_from_its_own_streams_notifications_and_is_never_dropped_for_later_ones()
    {
        var session = new ReplayBudget(250);
        session.TryTake(50, ReplayUse.Answer);
        var stream = new EventStream(1, maxEvents: 100, maxBytes: 100, session);
        for (var i = 0; i < 3; i++)
        {
            stream.AppendNotice(new byte[30]);
        }

        Assert.That(stream.AppendAnswer(new byte[200], reserved: 50, complete: false), Is.True);
        for (var i = 0; i < 5; i++)
        {
            stream.AppendNotice(new byte[30]);
        }

        var read = await stream.ReadAfterAsync(0, CancellationToken.None);
        Assert.That(read.Events.Count(e => e.IsResponse), Is.EqualTo(1), "the answer outlives every later notification");
        Assert.That(session.Used, Is.LessThanOrEqualTo(250));
        Assert.That(stream.Dropped, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void An_answer_that_cannot_fit_is_refused_and_the_error_in_its_place_fits_the_reservation()
    {
        var session = new ReplayBudget(100);
        session.TryTake(60, ReplayUse.Answer);
        var stream = new EventStream(1, maxEvents: 100, maxBytes: 50, session);

        Assert.That(stream.AppendAnswer(new byte[200], reserved: 60, complete: true), Is.False);
        Assert.That((session.Used, stream.IsCompleted), Is.EqualTo((60L, false)), "the request keeps its reservation");
        Assert.That(stream.AppendAnswer(new byte[45], reserved: 60, complete: true, force: true), Is.True);
        Assert.That((session.Used, stream.IsCompleted), Is.EqualTo((45L, true)));
    }

    [Test]
    public void A_take_is_all_or_nothing_across_session_tenant_and_proxy()
    {
        var proxy = new ReplayBudget(100, isCeiling: true);
        var tenant = new ReplayBudget(1000, proxy);
        var session = new ReplayBudget(1000, tenant);

        Assert.That(session.TryTake(90, ReplayUse.Answer), Is.EqualTo(ReplayTake.Taken));
        Assert.That(session.TryTake(20, ReplayUse.Answer), Is.EqualTo(ReplayTake.CeilingFull), "the proxy's ceiling refuses");
        Assert.That((session.Used, tenant.Used, proxy.Used), Is.EqualTo((90L, 90L, 90L)));
        session.Detach();
        Assert.That((tenant.Used, proxy.Used), Is.EqualTo((0L, 0L)), "an ended session gives its bytes back");
    }

    [Test]
    public async Task A_flooding_tenant_fills_its_own_budget_but_never_trims_another_tenants_stream()
    {
        var proxy = new ReplayBudget(300, isCeiling: true);
        var flooder = new ReplayBudget(160, proxy);
        var quiet = new ReplayBudget(200, proxy);
        var quietStream = new EventStream(0, maxEvents: 100, maxBytes: 100, new ReplayBudget(200, quiet));
        for (var i = 0; i < 5; i++)
        {
            quietStream.AppendNotice(new byte[10]);
        }

        var floods = Enumerable.Range(0, 3).Select(_ => new EventStream(0, maxEvents: 100, maxBytes: 100, new ReplayBudget(200, flooder))).ToList();
        for (var i = 0; i < 100; i++)
        {
            floods.ForEach(f => f.AppendNotice(new byte[20]));
        }

        Assert.That(quietStream.AppendNotice(new byte[10]), Is.EqualTo(ReplayTake.Taken));
        var read = await quietStream.ReadAfterAsync(0, CancellationToken.None);
        Assert.That((read.Gap, read.Events.Count), Is.EqualTo((false, 6)), "the quiet tenant lost nothing");
        Assert.That(flooder.Used, Is.EqualTo(120), "the flooder fills three quarters of its tenant's budget, no more");
        Assert.That(floods.Sum(f => f.Dropped), Is.GreaterThan(0));
    }

    [Test]
    public async Task At_the_proxys_ceiling_a_notification_is_refused_and_nobody_trims_for_it()
    {
        var proxy = new ReplayBudget(100, isCeiling: true);
        var quiet = new EventStream(0, maxEvents: 100, maxBytes: 100, new ReplayBudget(200, new ReplayBudget(200, proxy)));
        var flood = new EventStream(0, maxEvents: 100, maxBytes: 100, new ReplayBudget(200, new ReplayBudget(200, proxy)));
        quiet.AppendNotice(new byte[30]);
        while (flood.AppendNotice(new byte[10]) == ReplayTake.Taken)
        {
        }

        Assert.That(quiet.AppendNotice(new byte[10]), Is.EqualTo(ReplayTake.CeilingFull));
        Assert.That(flood.AppendNotice(new byte[10]), Is.EqualTo(ReplayTake.CeilingFull), "the flooder does not trim its own events to push past the ceiling either");
        var read = await quiet.ReadAfterAsync(0, CancellationToken.None);
        Assert.That((read.Gap, read.Events.Count, proxy.Used), Is.EqualTo((false, 1, 70L)));
    }

    [Test]
    public async Task A_reader_whose_next_events_were_all_trimmed_waits_for_the_next_one_instead_of_spinning()
    {
        var stream = new EventStream(0, maxEvents: 10, maxBytes: 100, new ReplayBudget(1000));
        stream.AppendNotice(new byte[10]);
        stream.AppendNotice(new byte[10]);
        Assert.That(stream.Trim(1000), Is.EqualTo(20), "the session took the GET stream's bytes for an answer");

        var waiting = stream.ReadAfterAsync(1, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False);
        stream.AppendNotice(new byte[10]);
        var read = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That((read.Gap, read.Events.Single().Sequence), Is.EqualTo((true, 3L)));
    }

    [Test]
    public void To_make_room_a_session_lets_go_only_answered_streams_its_client_has_read()
    {
        var streams = new SessionStreams(new ProxyOptions { ReplayBufferBytes = 1024, SessionReplayBudgetBytes = 4096 }, new ReplayBudget(1 << 20));
        var unread = streams.NewPostStream();
        var read = streams.NewPostStream();
        unread.AppendAnswer(new byte[1500], reserved: 0, complete: true);
        read.AppendAnswer(new byte[1500], reserved: 0, complete: true);
        read.MarkDelivered(read.LastSequence);
        var chatty = streams.NewPostStream();

        Assert.That(streams.Notice(chatty, new byte[200]), Is.EqualTo(ReplayTake.Taken), "3000 of 4096 used: past three quarters, so room is made");
        Assert.That((streams.Find(read.Number), streams.Find(unread.Number)), Is.EqualTo(((EventStream?)null, unread)));
        Assert.That((unread.BufferedBytes, streams.Budget.Used), Is.EqualTo((1500L, 1700L)), "the answer nobody read yet is kept whole");
    }
}
