namespace Smcp.Proxy.Sessions;

/// <summary>
/// The SSE streams of one session and the byte account they and its pending requests share: what is kept,
/// what makes room for what, and what is let go. Only ever this session's streams are trimmed.
/// </summary>
internal sealed class SessionStreams
{
    private readonly Lock _gate = new();
    private readonly ProxyOptions _options;
    private readonly Dictionary<int, EventStream> _streams = [];
    private readonly LinkedList<EventStream> _posts = new();
    private int _next = 1;

    public SessionStreams(ProxyOptions options, ReplayBudget tenant)
    {
        _options = options;
        Budget = new ReplayBudget(options.SessionReplayBudgetBytes, tenant);
        GetStream = new EventStream(0, options.ReplayBufferEvents, options.ReplayBufferBytes, Budget);
        _streams[0] = GetStream;
    }

    /// <summary>The session's account, inside its tenant's, inside the proxy's.</summary>
    public ReplayBudget Budget { get; }

    /// <summary>The standalone GET stream (stream 0): server messages that belong to no request.</summary>
    public EventStream GetStream { get; }

    public EventStream? Find(int number)
    {
        lock (_gate)
        {
            return _streams.GetValueOrDefault(number);
        }
    }

    public IReadOnlyList<EventStream> All()
    {
        lock (_gate)
        {
            return [.. _streams.Values];
        }
    }

    /// <summary>Opens the stream of a POST; answered POST streams beyond <see cref="ProxyOptions.RetainedStreamsPerSession"/> are let go, oldest first.</summary>
    public EventStream NewPostStream()
    {
        lock (_gate)
        {
            var stream = new EventStream(_next++, _options.ReplayBufferEvents, _options.ReplayBufferBytes, Budget);
            _streams[stream.Number] = stream;
            _posts.AddLast(stream);
            ForgetAnswered(0);
            return stream;
        }
    }

    /// <summary>Takes every request's reservation, making room once if needed; false (and nothing taken) when there is none.</summary>
    public bool Reserve(IReadOnlyList<PendingRequest> requests)
    {
        var bytes = requests.Sum(p => p.Reserved);
        return TryReserve(bytes) || (MakeRoom(bytes, forAnswer: true) && TryReserve(bytes));
    }

    /// <summary>Keeps a server notification or request in <paramref name="stream"/>; beyond the session's or tenant's budget, answered POST streams make room first.</summary>
    public ReplayTake Notice(EventStream stream, ReadOnlyMemory<byte> line)
    {
        // A notice that could fit once room is made is counted as dropped only if it still is after that.
        var retry = line.Length <= _options.ReplayBufferBytes && !stream.IsCompleted;
        var take = stream.AppendNotice(line, countDrop: !retry);
        if (take == ReplayTake.Taken || !retry)
        {
            return take;
        }

        if (take == ReplayTake.Full && MakeRoom(line.Length, forAnswer: false))
        {
            return stream.AppendNotice(line);
        }

        stream.CountDrop();
        return take;
    }

    /// <summary>Keeps a server's answer in place of its request's reservation; false when even after making room it does not fit.</summary>
    public bool Answer(EventStream stream, ReadOnlyMemory<byte> line, long reserved, bool complete) =>
        stream.AppendAnswer(line, reserved, complete) || (MakeRoom(line.Length, forAnswer: true) && stream.AppendAnswer(line, reserved, complete));

    // All or nothing at every level: the requests' reservations are taken together.
    private bool TryReserve(long bytes) => Budget.TryTake(bytes, ReplayUse.Answer) == ReplayTake.Taken;

    /// <summary>
    /// Frees up to <paramref name="bytes"/> of this session's own: delivered answered POST streams oldest first, then
    /// (<paramref name="forAnswer"/>) the GET stream's oldest events. Never another session's.
    /// </summary>
    private bool MakeRoom(long bytes, bool forAnswer)
    {
        long freed;
        lock (_gate)
        {
            freed = ForgetAnswered(bytes);
        }

        if (forAnswer && freed < bytes)
        {
            freed += GetStream.Trim(bytes - freed);
        }

        return freed > 0;
    }

    /// <summary>
    /// Lets answered POST streams go, oldest first, passing over those in flight: those delivered to their client until
    /// <paramref name="bytes"/> are freed, and any beyond <see cref="ProxyOptions.RetainedStreamsPerSession"/>. An answer
    /// its client has not read yet is never let go to make room; under the lock.
    /// </summary>
    private long ForgetAnswered(long bytes)
    {
        long freed = 0;
        for (var node = _posts.First; node is not null && (freed < bytes || _posts.Count > _options.RetainedStreamsPerSession);)
        {
            var stream = node.Value;
            var following = node.Next;
            if (stream.IsCompleted && (_posts.Count > _options.RetainedStreamsPerSession || (freed < bytes && stream.IsDelivered)))
            {
                _posts.Remove(node);
                _streams.Remove(stream.Number);
                freed += stream.Forget();
            }

            node = following;
        }

        return freed;
    }
}
