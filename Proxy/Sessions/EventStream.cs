using System.Globalization;

namespace Smcp.Proxy.Sessions;

/// <summary>One SSE event: its place in its stream and the JSON-RPC message it carries.</summary>
internal readonly record struct StreamEvent(long Sequence, ReadOnlyMemory<byte> Data, bool IsResponse);

/// <summary>What a reader gets: the events after its position, whether the stream has ended, whether events were lost.</summary>
internal readonly record struct StreamRead(IReadOnlyList<StreamEvent> Events, bool Completed, bool Gap);

/// <summary>
/// One SSE stream of a session (the GET stream, or the stream of one POST), kept apart from any HTTP
/// connection: events are appended as the sandbox writes them and kept in a bounded replay buffer, so a
/// client that reconnects with <c>Last-Event-ID</c> gets the events it missed that are still kept.
/// </summary>
/// <remarks>
/// Every byte kept is taken from the session's <see cref="ReplayBudget"/> first, so no mix of streams can hold
/// more than the session, its tenant or the proxy allow. A stream only ever drops its own events, oldest first:
/// notifications and server requests beyond <c>maxEvents</c>/<c>maxBytes</c> (the stream's share of its session)
/// or beyond the budget; answers only on the GET stream (a legacy session's). A POST's answers are never
/// dropped: one that cannot be kept is refused, and the session answers with an error in its place.
/// </remarks>
internal sealed class EventStream(int number, int maxEvents, long maxBytes, ReplayBudget budget)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<StreamEvent> _buffer = new();
    private long _bufferedBytes;
    private long _droppableBytes;
    private int _droppableEvents;
    private long _lastSequence;
    private long _dropped;
    private long _delivered;
    private bool _completed;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>The stream's number within its session: 0 is the GET stream.</summary>
    public int Number { get; } = number;

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _lastSequence;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>Whether the stream has ended and a reader wrote all of it out: what it keeps is only for replay now.</summary>
    public bool IsDelivered
    {
        get
        {
            lock (_gate)
            {
                return _completed && _delivered >= _lastSequence;
            }
        }
    }

    /// <summary>Bytes this stream keeps now.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>Events this stream dropped, kept or not yet delivered, to stay within its share and the budget.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _dropped;
            }
        }
    }

    /// <summary>The SSE event id: the stream number and the event's sequence in it.</summary>
    public string EventId(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{Number}_{sequence}");

    /// <summary>Reads an event id back into (stream, sequence); false when it is not one of ours.</summary>
    public static bool TryParseEventId(string? eventId, out int stream, out long sequence)
    {
        stream = 0;
        sequence = 0;
        var separator = eventId?.IndexOf('_') ?? -1;
        return separator > 0
            && int.TryParse(eventId.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out stream)
            && long.TryParse(eventId.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>
    /// Appends a server notification or request, dropping this stream's oldest droppable events to make room
    /// within its share and its session's and tenant's budget (not for the proxy's ceiling: then the new one is
    /// refused); anything but <see cref="ReplayTake.Taken"/> means it was dropped, and counted unless
    /// <paramref name="countDrop"/> is false (the caller will try again once room is made, and counts then).
    /// </summary>
    public ReplayTake AppendNotice(ReadOnlyMemory<byte> data, bool countDrop = true)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                return ReplayTake.Full;
            }

            if (data.Length > maxBytes)
            {
                _dropped += countDrop ? 1 : 0;
                return ReplayTake.Full;
            }

            while (_droppableEvents > 0 && (_droppableEvents >= maxEvents || _droppableBytes + data.Length > maxBytes))
            {
                DropOldest();
            }

            ReplayTake take;
            while ((take = budget.TryTake(data.Length, ReplayUse.Notice)) != ReplayTake.Taken)
            {
                // Dropping less than the new event's size cannot make room for it: then it is the one dropped, not the stream's history.
                if (take == ReplayTake.CeilingFull || _droppableBytes < data.Length)
                {
                    _dropped += countDrop ? 1 : 0;
                    return take;
                }

                DropOldest();
            }

            Enqueue(data, isResponse: false);
            changed = SwapSignal();
        }

        changed.TrySetResult();
        return ReplayTake.Taken;
    }

    /// <summary>Counts a notice that was not kept after all (see <see cref="AppendNotice"/>'s <c>countDrop</c>).</summary>
    public void CountDrop()
    {
        lock (_gate)
        {
            _dropped++;
        }
    }

    /// <summary>
    /// Appends an answer in place of the <paramref name="reserved"/> bytes its request held, and with
    /// <paramref name="complete"/> ends the stream after it. Beyond the budget this stream's own notifications
    /// make room first; false when the answer still cannot be kept (the request keeps its reservation).
    /// With <paramref name="force"/> (the proxy's own short error answers, which fit their reservation) it is always kept.
    /// </summary>
    public bool AppendAnswer(ReadOnlyMemory<byte> data, long reserved, bool complete, bool force = false)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                budget.Give(reserved);
                return true;
            }

            var extra = data.Length - reserved;
            if (extra <= 0)
            {
                budget.Give(-extra);
            }
            else if (force)
            {
                budget.Take(extra);
            }
            else
            {
                while (budget.TryTake(extra, ReplayUse.Answer) != ReplayTake.Taken)
                {
                    if (_droppableEvents == 0)
                    {
                        return false;
                    }

                    DropOldest();
                }
            }

            Enqueue(data, isResponse: true);
            _completed = complete;
            changed = SwapSignal();
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>Drops this stream's oldest droppable events until <paramref name="bytes"/> are free; returns the bytes freed.</summary>
    public long Trim(long bytes)
    {
        lock (_gate)
        {
            long freed = 0;
            while (freed < bytes && _droppableEvents > 0)
            {
                freed += DropOldest();
            }

            return freed;
        }
    }

    /// <summary>Drops the stream's buffer from its session's budget: the stream is no longer kept.</summary>
    public long Forget()
    {
        lock (_gate)
        {
            var freed = _bufferedBytes;
            _completed = true;
            budget.Give(_bufferedBytes);
            _bufferedBytes = _droppableBytes = _droppableEvents = 0;
            _buffer.Clear();
            return freed;
        }
    }

    /// <summary>A reader wrote the events up to <paramref name="sequence"/> out to its client.</summary>
    public void MarkDelivered(long sequence)
    {
        lock (_gate)
        {
            _delivered = Math.Max(_delivered, sequence);
        }
    }

    /// <summary>Ends the stream: readers get what is buffered, then the end.</summary>
    public void Complete()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            changed = _changed;
        }

        changed.TrySetResult();
    }

    /// <summary>Waits until there are events after <paramref name="after"/> or the stream ends, and returns the ones still kept.</summary>
    /// <remarks>A reader past a gap goes on with what is kept: SSE has no way to say "lost", and stopping would strand the answers after it.</remarks>
    public async ValueTask<StreamRead> ReadAfterAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                // Events after a reader's position that were all dropped are no reason to wake it: it waits for the next one.
                var events = _lastSequence > after ? _buffer.Where(e => e.Sequence > after).ToArray() : [];
                if (events.Length > 0 || _completed)
                {
                    return new StreamRead(events, _completed, Gap: events.Length < _lastSequence - after);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Enqueue(ReadOnlyMemory<byte> data, bool isResponse)
    {
        _buffer.AddLast(new StreamEvent(++_lastSequence, data, isResponse));
        _bufferedBytes += data.Length;
        if (IsDroppable(isResponse))
        {
            _droppableBytes += data.Length;
            _droppableEvents++;
        }
    }

    /// <summary>Drops the oldest droppable event (the caller knows there is one) and gives its bytes back.</summary>
    private long DropOldest()
    {
        var node = _buffer.First;
        while (!IsDroppable(node!.Value.IsResponse))
        {
            node = node.Next;
        }

        var length = node.Value.Data.Length;
        _buffer.Remove(node);
        _bufferedBytes -= length;
        _droppableBytes -= length;
        _droppableEvents--;
        _dropped++;
        budget.Give(length);
        return length;
    }

    /// <summary>The GET stream drops anything (a legacy session's answers go there too); a POST's stream only what is not an answer.</summary>
    private bool IsDroppable(bool isResponse) => Number == 0 || !isResponse;

    private TaskCompletionSource SwapSignal()
    {
        var changed = _changed;
        _changed = NewSignal();
        return changed;
    }

    /// <summary>
    /// Readers' continuations run synchronously on the appending thread (the session's reader loop): the
    /// response is written without a hop through the thread pool. Signals are set outside the lock, and
    /// readers only await, so a slow client suspends its own writer, never the appender.
    /// </summary>
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.None);
}
