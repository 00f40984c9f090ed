using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Audit;

/// <summary>Batches audit records into their tenants' hash chains; never drops one.</summary>
/// <remarks>
/// A queue bounded in records and in bytes gives back-pressure: writers wait while either is full, and a record's
/// bytes are given back only once it is committed, so records being written count too. One loop takes up to MaxBatch records
/// (waiting BatchDelay for a small batch to grow), groups them by tenant and writes each tenant's share in one
/// transaction; a failed write is retried with backoff. StopAsync closes the queue and returns once everything
/// queued before it is committed.
/// </remarks>
internal sealed class AuditWriter : IHostedService, IAsyncDisposable
{
    /// <summary>What a record costs besides its text: the record, its queue entry and the strings' headers.</summary>
    public const int RecordOverheadBytes = 256;

    private readonly Channel<Pending> _queue;
    private readonly ConcurrencyLimiter _bytes;
    private readonly AuditInserter _inserter;
    private readonly AuditWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _startLock = new();
    private int _disposed;
    private Task? _loop;
    private long _written;

    public AuditWriter(TenantDb db, IOptions<AuditWriterOptions> options, TimeProvider time, ILogger<AuditWriter> logger)
    {
        _options = options.Value;
        _inserter = new AuditInserter(db);
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _bytes = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.QueueBytes,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Rows committed since the writer was created.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records queued and not yet taken into a batch.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Bytes of records queued or being written, against <see cref="AuditWriterOptions.QueueBytes"/>.</summary>
    public long QueuedBytes => _options.QueueBytes - (_bytes.GetStatistics()?.CurrentAvailablePermits ?? _options.QueueBytes);

    /// <summary>Queues the record and completes when its row is committed.</summary>
    /// <remarks>Cancelling stops the wait, not the write: a queued record is still written.</remarks>
    public async Task WriteAsync(AuditRecord record, CancellationToken ct)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await QueueAsync(record, committed, ct);
        await committed.Task.WaitAsync(ct);
    }

    /// <summary>Queues the record and returns once it is queued (waiting while the queue is full).</summary>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken ct) => QueueAsync(record, null, ct);

    private async ValueTask QueueAsync(AuditRecord record, TaskCompletionSource? committed, CancellationToken ct)
    {
        var prepared = Prepare(record);
        var lease = await TakeBytesAsync(Math.Min(SizeOf(prepared), _options.QueueBytes), ct);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(prepared, committed, lease), ct);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private async ValueTask<RateLimitLease> TakeBytesAsync(int bytes, CancellationToken ct)
    {
        while (true)
        {
            var lease = await _bytes.AcquireAsync(bytes, ct);
            if (lease.IsAcquired)
            {
                return lease;
            }

            // Only when more than 2 GiB of records wait at once (the limiter's queue is counted in an int): wait, never drop.
            lease.Dispose();
            await Task.Delay(_options.RetryDelay, _time, ct);
        }
    }

    /// <summary>What a prepared record holds in memory, as <see cref="AuditWriterOptions.QueueBytes"/> counts it.</summary>
    private static int SizeOf(AuditRecord record)
    {
        var chars = (long)record.TenantId.Length + (record.Principal?.Length ?? 0) + (record.SessionId?.Length ?? 0)
            + record.Action.Length + (record.Target?.Length ?? 0) + record.Outcome.Length;
        var detail = record.Detail is { } element ? JsonMarshal.GetRawUtf8Value(element).Length : 0;
        return (int)Math.Min(int.MaxValue, RecordOverheadBytes + (2 * chars) + detail);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    /// <summary>Refuses new records and waits until every queued one is committed (or <paramref name="cancellationToken"/> gives up).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var written = Written;
        _queue.Writer.TryComplete();
        await EnsureStarted().WaitAsync(cancellationToken);
        DataLog.AuditWriterDrained(_logger, Written - written);
    }

    /// <summary>Runs once: the host disposes this both as a service and as a hosted service.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _abort.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _abort.Dispose();
        _bytes.Dispose();
    }

    private Task EnsureStarted()
    {
        lock (_startLock)
        {
            return _loop ??= Task.Run(RunAsync, CancellationToken.None);
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(Math.Min(_options.MaxBatch, _options.Capacity));
        var ct = _abort.Token;
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                Fill(reader, batch);
                if (batch.Count < _options.MaxBatch && _options.BatchDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.BatchDelay, _time, ct);
                    Fill(reader, batch);
                }

                await Task.WhenAll(batch
                    .GroupBy(p => p.Record.TenantId, StringComparer.Ordinal)
                    .Select(group => WriteTenantAsync(group.Key, group.ToList(), ct)));
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            foreach (var pending in batch)
            {
                pending.Bytes.Dispose();
                pending.Committed?.TrySetCanceled(ct);
            }

            while (reader.TryRead(out var pending))
            {
                pending.Bytes.Dispose();
                pending.Committed?.TrySetCanceled(ct);
            }
        }
    }

    private void Fill(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (batch.Count < _options.MaxBatch && reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    private async Task WriteTenantAsync(string tenantId, List<Pending> items, CancellationToken ct)
    {
        await WriteWithRetryAsync(tenantId, items.Select(p => p.Record).ToList(), ct);
        Interlocked.Add(ref _written, items.Count);
        foreach (var pending in items)
        {
            pending.Bytes.Dispose();
            pending.Committed?.TrySetResult();
        }
    }

    private async Task WriteWithRetryAsync(string tenantId, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _inserter.InsertAsync(tenantId, records, ct);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // A value Postgres refuses (a jsonb string with \u0000, …) fails every retry: isolate the row
                // and write it with the detail replaced rather than lose it or block the queue.
                if (ex is PostgresException { SqlState: var state } && state.StartsWith("22", StringComparison.Ordinal))
                {
                    if (records.Count > 1)
                    {
                        foreach (var record in records)
                        {
                            await WriteWithRetryAsync(tenantId, [record], ct);
                        }

                        return;
                    }

                    if (records[0].Detail is not null)
                    {
                        DataLog.AuditDetailRejected(_logger, tenantId, state);
                        records = [records[0] with { Detail = RejectedDetail(state) }];
                        continue;
                    }
                }

                DataLog.AuditBatchFailed(_logger, ex, records.Count, tenantId, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    private static JsonElement RejectedDetail(string sqlState) =>
        JsonDocument.Parse($$"""{"smcp_detail_rejected":"{{sqlState}}"}""").RootElement.Clone();

    /// <summary>
    /// Checks what would make every retry fail, cleans text Postgres cannot store (NUL, lone surrogates) and cuts
    /// every text field to <see cref="AuditText.MaxFieldBytes"/> (a client chooses the method, tool and URI).
    /// </summary>
    private static AuditRecord Prepare(AuditRecord record)
    {
        DataIds.ThrowIfInvalid(record.TenantId, nameof(record));
        var truncated = record.Truncated;
        return record with
        {
            Principal = AuditText.Cut(Clean(record.Principal), ref truncated),
            SessionId = AuditText.Cut(Clean(record.SessionId), ref truncated),
            Action = AuditText.Cut(Clean(record.Action), ref truncated)!,
            Target = AuditText.Cut(Clean(record.Target), ref truncated),
            Outcome = AuditText.Cut(Clean(record.Outcome), ref truncated)!,
            Truncated = truncated,
        };
    }

    private static string? Clean(string? value)
    {
        if (value is null || (!value.Contains('\0', StringComparison.Ordinal) && !value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')))
        {
            return value;
        }

        // Encoding.UTF8 replaces lone surrogates with U+FFFD and keeps valid pairs.
        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value.Replace('\0', '\uFFFD')));
    }

    private readonly record struct Pending(AuditRecord Record, TaskCompletionSource? Committed, RateLimitLease Bytes);
}
