using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Smcp.Sandbox.Stdio;

/// <summary>
/// The stdout messages of one sandbox that nobody has read yet, bounded in bytes: each message counts
/// its length plus <see cref="MessageOverheadBytes"/>, so many small lines are held to the same bound
/// as a few large ones. One writer (the sandbox's reader loop), any number of readers.
/// </summary>
/// <remarks>
/// A message that does not fit makes the writer wait for room: it stops reading the sandbox's stdout,
/// the engine's pipe fills and the server blocks in its write. A wait that outlasts its deadline is the
/// caller's cue to end the sandbox. Per message the hot path adds one Interlocked add on each side and
/// a volatile read of the waiter to what the channel itself costs; no lock, no allocation of its own.
/// </remarks>
internal sealed class StdoutBuffer
{
    /// <summary>What a buffered message costs beyond its bytes: the array's header and its slot in the queue.</summary>
    public const int MessageOverheadBytes = 64;

    // Synchronous continuations: a waiting consumer runs on the reader loop's thread instead of being queued
    // to the thread pool, one thread hop less per message (consumers must not block; they await).
    private readonly Channel<ReadOnlyMemory<byte>> _messages = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleWriter = true, SingleReader = false, AllowSynchronousContinuations = true });

    private readonly TimeProvider _time;
    private long _buffered;
    private long _bound;
    private TaskCompletionSource? _room;
    private volatile bool _abandoned;

    public StdoutBuffer(long bound, TimeProvider time)
    {
        _bound = bound;
        _time = time;
        Reader = new MeteredReader(this);
    }

    /// <summary>Reading a message gives its bytes back to the buffer.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Reader { get; }

    public long BufferedBytes => Interlocked.Read(ref _buffered);

    public long Bound => Interlocked.Read(ref _bound);

    /// <summary>Raises or lowers the bound; a writer waiting for room looks again at once.</summary>
    public void SetBound(long bound)
    {
        Interlocked.Exchange(ref _bound, bound);
        WakeWriter();
    }

    /// <summary>Adds <paramref name="message"/>, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <returns>False when no room came in time (or the buffer is complete or abandoned); the message was not added.</returns>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long cost = message.Length + MessageOverheadBytes;
        if (!HasRoom(cost) && !await WaitForRoomAsync(cost, timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Interlocked.Add(ref _buffered, cost);
        if (_messages.Writer.TryWrite(message))
        {
            return true;
        }

        Interlocked.Add(ref _buffered, -cost);
        return false;
    }

    /// <summary>A writer waiting for room, now or later, gives up at once (the sandbox is being stopped).</summary>
    public void Abandon()
    {
        _abandoned = true;
        WakeWriter();
    }

    /// <summary>Throws away every buffered message (the sandbox is ended for not being read).</summary>
    public void DropAll()
    {
        while (Reader.TryRead(out _))
        {
        }
    }

    public void Complete() => _messages.Writer.TryComplete();

    private bool HasRoom(long cost) => Interlocked.Read(ref _buffered) + cost <= Interlocked.Read(ref _bound);

    private async ValueTask<bool> WaitForRoomAsync(long cost, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            // Published before the check, and the reader subtracts before it looks for a waiter: a read
            // between the two either is seen by the check or finds this waiter to wake.
            var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _room, room);
            if (HasRoom(cost))
            {
                Interlocked.CompareExchange(ref _room, null, room);
                return true;
            }

            var left = timeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || _abandoned)
            {
                Interlocked.CompareExchange(ref _room, null, room);
                return false;
            }

            await room.Task.WaitAsync(left, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Taken(ReadOnlyMemory<byte> message)
    {
        Interlocked.Add(ref _buffered, -(message.Length + MessageOverheadBytes));
        if (Volatile.Read(ref _room) is not null)
        {
            WakeWriter();
        }
    }

    private void WakeWriter() => Interlocked.Exchange(ref _room, null)?.TrySetResult();

    private sealed class MeteredReader(StdoutBuffer owner) : ChannelReader<ReadOnlyMemory<byte>>
    {
        private readonly ChannelReader<ReadOnlyMemory<byte>> _inner = owner._messages.Reader;

        public override Task Completion => _inner.Completion;

        public override bool CanCount => true;

        public override int Count => _inner.Count;

        public override bool CanPeek => true;

        public override bool TryRead([MaybeNullWhen(false)] out ReadOnlyMemory<byte> item)
        {
            if (!_inner.TryRead(out item))
            {
                return false;
            }

            owner.Taken(item);
            return true;
        }

        public override bool TryPeek([MaybeNullWhen(false)] out ReadOnlyMemory<byte> item) => _inner.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
    }
}
