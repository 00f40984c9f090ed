using System.Globalization;

namespace Smcp.Proxy.Sessions;

/// <summary>One SSE event: its place in its stream and the JSON-RPC message it carries.</summary>
internal readonly record struct StreamEvent(long Sequence, ReadOnlyMemory<byte> Data, bool IsResponse);

/// <summary>What a reader gets: the events after its position, whether the stream has ended, whether events were lost.</summary>
internal readonly record struct StreamRead(IReadOnlyList<StreamEvent> Events, bool Completed, bool Gap);

/// <summary>
/// One SSE stream of a session (the GET stream, or the stream of one POST), kept apart from any HTTP
/// connection: events are appended as the sandbox writes them and kept in a bounded replay buffer, so a
/// client that reconnects with <c>Last-Event-ID</c> gets exactly the events it missed.
/// </summary>
/// <remarks>
/// Every stream keeps at most <c>maxEvents</c> and <c>maxBytes</c>. Over the session's or the proxy's replay
/// budget only the GET stream (number 0, fed by the server alone) drops its oldest events as it grows: a
/// POST's stream holds answers its client is waiting for, and is let go as a whole once it is answered.
/// </remarks>
internal sealed class EventStream(int number, int maxEvents, long maxBytes, ReplayBudget budget)
{
    private readonly Lock _gate = new();
    private readonly Queue<StreamEvent> _buffer = new();
    private long _bufferedBytes;
    private long _lastSequence;
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

    /// <summary>Appends an event, and with <paramref name="complete"/> ends the stream after it; false when the stream has already ended.</summary>
    public bool Append(ReadOnlyMemory<byte> data, bool isResponse, bool complete = false)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = complete;

            _buffer.Enqueue(new StreamEvent(++_lastSequence, data, isResponse));
            _bufferedBytes += data.Length;
            budget.Take(data.Length);
            while (_buffer.Count > 1 && (_buffer.Count > maxEvents || _bufferedBytes > maxBytes || (Number == 0 && budget.IsOver)))
            {
                var dropped = _buffer.Dequeue().Data.Length;
                _bufferedBytes -= dropped;
                budget.Give(dropped);
            }

            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>Drops the stream's buffer from its session's budget: the stream is no longer kept.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _completed = true;
            budget.Give(_bufferedBytes);
            _bufferedBytes = 0;
            _buffer.Clear();
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

    /// <summary>Waits until there are events after <paramref name="after"/> or the stream ends, and returns them.</summary>
    public async ValueTask<StreamRead> ReadAfterAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var oldest = _buffer.Count > 0 ? _buffer.Peek().Sequence : _lastSequence + 1;
                if (after + 1 < oldest && after < _lastSequence)
                {
                    return new StreamRead([], _completed, Gap: true);
                }

                if (_lastSequence > after)
                {
                    return new StreamRead(_buffer.Where(e => e.Sequence > after).ToArray(), _completed, Gap: false);
                }

                if (_completed)
                {
                    return new StreamRead([], Completed: true, Gap: false);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Readers' continuations run synchronously on the appending thread (the session's reader loop): the
    /// response is written without a hop through the thread pool. Signals are set outside the lock, and
    /// readers only await, so a slow client suspends its own writer, never the appender.
    /// </summary>
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.None);
}
