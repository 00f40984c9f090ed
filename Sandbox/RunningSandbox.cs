using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Smcp.Sandbox.Engine;
using Smcp.Sandbox.Stdio;

namespace Smcp.Sandbox;

/// <summary>
/// One started sandbox: its stdio as a channel of newline-delimited JSON-RPC messages, its exit,
/// and its end. One writer lock, one reader loop, and disposal (stop, then remove) exactly once.
/// </summary>
public sealed class RunningSandbox : IAsyncDisposable
{
    private const int ReadBufferBytes = 64 * 1024;
    private const long SigkillExitCode = 137;
    private static readonly TimeSpan ReaderDrainWait = TimeSpan.FromSeconds(2);

    private readonly ISandboxHandle _handle;
    private readonly SandboxOptions _options;
    private readonly ILogger _logger;
    private readonly StdoutBuffer _stdout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StderrRing _stderr;
    private readonly CancellationTokenSource _life = new();
    private readonly TaskCompletionSource<SandboxExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SandboxExit> _exitSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private int _endedBy = -1;
    private long _droppedLines;
    private long _floodUnreadBytes;
    private int _disposed;
    private Action? _onEnded;

    internal RunningSandbox(string id, SandboxSpec spec, ISandboxHandle handle, SandboxOptions options, ILogger logger, bool claimed)
    {
        Id = id;
        ContainerId = handle.Name;
        Spec = spec;
        _handle = handle;
        _options = options;
        _logger = logger;
        _stderr = new StderrRing(options.StderrBufferBytes);
        _stdout = new StdoutBuffer(claimed ? options.StdoutBufferBytes : options.WarmStdoutBufferBytes, TimeProvider.System);
        _readLoop = ReadLoopAsync(_life.Token);
        _ = ObserveExitAsync(_life.Token);
    }

    /// <summary>This sandbox's id (label <c>smcp.session</c>).</summary>
    public string Id { get; }

    /// <summary>The engine's name for the sandbox: the Docker container id, or the Kubernetes pod name.</summary>
    public string ContainerId { get; }

    public SandboxSpec Spec { get; }

    /// <summary>Every JSON message the server wrote to stdout, in order; completes when stdout ends.</summary>
    /// <remarks>
    /// A waiting reader's continuation may run on the sandbox's reader loop: it must await, never block.
    /// What is not read yet is bounded in bytes (<see cref="SandboxOptions.StdoutBufferBytes"/>, or
    /// <see cref="SandboxOptions.WarmStdoutBufferBytes"/> until the sandbox is claimed); a server that
    /// outwrites its reader for <see cref="SandboxOptions.StdoutFloodTimeout"/> is ended as
    /// <see cref="SandboxExitReason.StdoutFlood"/>.
    /// </remarks>
    public ChannelReader<ReadOnlyMemory<byte>> Messages => _stdout.Reader;

    /// <summary>Bytes of stdout messages not read yet, each counted with a fixed per-message overhead.</summary>
    public long BufferedBytes => _stdout.BufferedBytes;

    /// <summary>Completes once the container has stopped, with its exit code and why.</summary>
    public Task<SandboxExit> Exited => _exited.Task;

    /// <summary>Completes as soon as the engine reports the container stopped, with the reason as first seen.</summary>
    /// <remarks>
    /// For a SIGKILL exit this is <see cref="SandboxExitReason.Killed"/> unless the engine already flagged an OOM kill;
    /// <see cref="Exited"/> waits up to three seconds longer for a late OOM flag. A session answers its waiting
    /// client from this, so a killed sandbox's client learns of it at once.
    /// </remarks>
    public Task<SandboxExit> ExitSeen => _exitSeen.Task;

    /// <summary>Stdout lines that were not JSON and were dropped.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    /// <summary>What the server wrote to stderr: the newest <see cref="SandboxOptions.StderrBufferBytes"/> at most, and the counts.</summary>
    /// <remarks>The bytes are as the server wrote them: whoever shows them to a person decodes and escapes them.</remarks>
    public StderrSnapshot Stderr() => _stderr.Snapshot();

    /// <summary>The tail of what the server wrote to stderr, decoded as UTF-8 (for diagnostics, not for a terminal).</summary>
    public string StderrTail() => Encoding.UTF8.GetString(Stderr().Bytes.Span);

    /// <summary>Writes one JSON-RPC message (no newlines inside) to the server's stdin.</summary>
    /// <exception cref="InvalidOperationException">The sandbox has ended.</exception>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (message.Span.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            throw new ArgumentException("A message must be one line of JSON.", nameof(message));
        }

        var frame = ArrayPool<byte>.Shared.Rent(message.Length + 1);
        try
        {
            message.CopyTo(frame);
            frame[message.Length] = (byte)'\n';
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_life.IsCancellationRequested, this);
                if (_exited.Task.IsCompleted)
                {
                    throw new InvalidOperationException(_exited.Task.Result.Describe());
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
                timeout.CancelAfter(_options.WriteTimeout);
                try
                {
                    await _handle.WriteAsync(frame, message.Length + 1, timeout.Token).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new InvalidOperationException("The MCP server's input is closed: it has ended.", ex);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_life.IsCancellationRequested)
                {
                    Log.StdinBlocked(_logger, Id, _options.WriteTimeout);
                    await EndAsync(SandboxExitReason.StdinBlocked).ConfigureAwait(false);
                    throw new InvalidOperationException(new SandboxExit(SandboxExitReason.StdinBlocked, null, false).Describe());
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Stops the server: SIGTERM, the grace period, then SIGKILL. Its exit is reported as <see cref="SandboxExitReason.Stopped"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        MarkEnded(SandboxExitReason.Stopped);
        // A reader waiting for room would keep the engine from finishing the stop (see the read loop).
        _stdout.Abandon();
        await _handle.StopAsync(_options.StopGracePeriod, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the sandbox if it still runs, removes its container, and frees its stream. Runs once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_exited.Task.IsCompleted)
            {
                await StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await _handle.RemoveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Log.RemoveFailed(_logger, ex, Id, ContainerId);
        }
        finally
        {
            await _life.CancelAsync().ConfigureAwait(false);
            _handle.Dispose();
            await _readLoop.ConfigureAwait(false);
            Complete(new SandboxExit(EndedBy ?? SandboxExitReason.Stopped, null, false));
            _life.Dispose();
            _writeLock.Dispose();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        var splitter = new LineSplitter(_options.MaxMessageBytes);
        var lines = new List<byte[]>();
        Task? ending = null;
        try
        {
            // Once the sandbox is being ended, stdout is still read to its end and thrown away: the engine
            // finishes a container's exit (and answers the kill) only after its output was taken, so a reader
            // that stopped here, or waited for the kill, would leave the killed flooder hanging.
            var discarding = false;
            while (true)
            {
                var read = await _handle.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read.Eof)
                {
                    break;
                }

                if (read.Stderr)
                {
                    _stderr.Append(buffer.AsSpan(0, read.Count));
                    continue;
                }

                if (discarding)
                {
                    continue;
                }

                var withinLimit = splitter.Feed(buffer.AsSpan(0, read.Count), line =>
                {
                    if (JsonLine.IsMessage(line))
                    {
                        lines.Add(line.ToArray());
                    }
                    else
                    {
                        Interlocked.Increment(ref _droppedLines);
                    }
                });

                foreach (var line in lines)
                {
                    if (!await _stdout.WriteAsync(line, _options.StdoutFloodTimeout, cancellationToken).ConfigureAwait(false))
                    {
                        discarding = true;
                        break;
                    }
                }

                lines.Clear();
                if (discarding)
                {
                    _stdout.Complete();
                    if (EndedBy is null)
                    {
                        ending = EndFloodedAsync();
                    }
                }
                else if (!withinLimit)
                {
                    Log.MessageTooLarge(_logger, Id, _options.MaxMessageBytes);
                    discarding = true;
                    _stdout.Complete();
                    ending = EndAsync(SandboxExitReason.MessageTooLarge);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: the reader ends with the sandbox.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.StdioFailed(_logger, ex, Id);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _stdout.Complete();
            if (ending is not null)
            {
                await ending.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Nobody read for the flood timeout: what is buffered is of no use to anyone, the server is ended.</summary>
    private async Task EndFloodedAsync()
    {
        var unread = _stdout.BufferedBytes;
        Interlocked.Exchange(ref _floodUnreadBytes, unread);
        Log.StdoutFlood(_logger, Id, unread, _options.StdoutFloodTimeout);
        _stdout.DropAll();
        await EndAsync(SandboxExitReason.StdoutFlood).ConfigureAwait(false);
    }

    private async Task ObserveExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Null: removed (by DisposeAsync) before or while the exit was looked at: SMCP ended it.
            if (await _handle.WaitAsync(cancellationToken).ConfigureAwait(false) is not { } statusCode)
            {
                Complete(new SandboxExit(EndedBy ?? SandboxExitReason.Stopped, null, false));
                return;
            }

            // What the server wrote before it exited may still be in the reader's hands, and it can decide
            // the reason (an oversize line): give the reader a moment to reach the end of stdout first.
            await Task.WhenAny(_readLoop, Task.Delay(ReaderDrainWait, cancellationToken)).ConfigureAwait(false);
            if (await OomKilledAsync(statusCode, cancellationToken).ConfigureAwait(false) is not { } oom)
            {
                Complete(new SandboxExit(EndedBy ?? SandboxExitReason.Stopped, null, false));
                return;
            }

            var reason = EndedBy ?? (oom ? SandboxExitReason.OutOfMemory
                : statusCode == SigkillExitCode ? SandboxExitReason.Killed
                : SandboxExitReason.Exited);
            Complete(new SandboxExit(reason, statusCode, oom));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed before the exit was seen; DisposeAsync reports it.
        }
        catch (IOException ex)
        {
            Log.StdioFailed(_logger, ex, Id);
            Complete(new SandboxExit(EndedBy ?? SandboxExitReason.EngineError, null, false));
        }
    }

    /// <summary>
    /// The engine learns of an OOM kill from its own event, which can land just after the exit: a SIGKILL exit is looked at
    /// again for ten seconds before it is taken as a plain kill (a loaded engine was seen more than three seconds late). The
    /// session already knows of the exit (<c>_exitSeen</c>); only the reason waits.
    /// </summary>
    private async Task<bool?> OomKilledAsync(long exitCode, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var oom = await _handle.OomKilledAsync(cancellationToken).ConfigureAwait(false);
            if (oom is null or true || exitCode != SigkillExitCode || attempt == 50)
            {
                return oom;
            }

            _exitSeen.TrySetResult(new SandboxExit(EndedBy ?? SandboxExitReason.Killed, exitCode, false));

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The sandbox is handed to a reader (a session): its stdout bound rises from
    /// <see cref="SandboxOptions.WarmStdoutBufferBytes"/> to <see cref="SandboxOptions.StdoutBufferBytes"/>.
    /// </summary>
    internal void Claim() => _stdout.SetBound(_options.StdoutBufferBytes);

    /// <summary>Runs <paramref name="action"/> once, synchronously, when the sandbox has ended (at once if it already has).</summary>
    internal void OnEnded(Action action)
    {
        Volatile.Write(ref _onEnded, action);
        if (_exited.Task.IsCompleted)
        {
            Interlocked.Exchange(ref _onEnded, null)?.Invoke();
        }
    }

    private void Complete(SandboxExit exit)
    {
        if (exit.Reason == SandboxExitReason.StdoutFlood)
        {
            exit = exit with { UnreadBytes = Interlocked.Read(ref _floodUnreadBytes) };
        }

        _exitSeen.TrySetResult(exit);
        if (_exited.TrySetResult(exit))
        {
            Interlocked.Exchange(ref _onEnded, null)?.Invoke();
        }
    }

    private SandboxExitReason? EndedBy => Volatile.Read(ref _endedBy) is var r and >= 0 ? (SandboxExitReason)r : null;

    private void MarkEnded(SandboxExitReason reason) => Interlocked.CompareExchange(ref _endedBy, (int)reason, -1);

    private async Task EndAsync(SandboxExitReason reason)
    {
        MarkEnded(reason);
        try
        {
            await _handle.KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Log.StdioFailed(_logger, ex, Id);
        }
    }
}
