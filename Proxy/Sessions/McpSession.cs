using Smcp.Proxy.Guard;
using Smcp.Proxy.Guard.Pinning;
using Smcp.Proxy.Json;
using Smcp.Proxy.Policy;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// One MCP session: owns its sandbox, one reader loop over the sandbox's messages, the requests in
/// flight (by id, never by order) and the session's SSE streams. It ends exactly once: by DELETE,
/// idle timeout, the sandbox's exit, a legacy stream's close, or shutdown.
/// </summary>
internal sealed partial class McpSession
{
    private readonly SessionContext _context;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingRequest> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingRequest> _byProgressToken = new(StringComparer.Ordinal);
    private readonly SessionStreams _streams;
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<McpSession> _onEnded;
    private readonly SessionBlocks _blocks = new();
    private readonly SessionPins _pins;
    private readonly SessionToolPolicy _policy;
    private readonly OutputGuard? _output;
    private CancellationTokenSource? _getConsumer;
    private long _lastActivity;
    private long _getDelivered;
    private long _unroutedResponses;
    private int _ending;

    public McpSession(
        string id, SmcpPrincipal principal, string tenant, string server, McpServerTarget target, bool legacy,
        RunningSandbox sandbox, SessionContext context, Action<McpSession> onEnded, StatelessServer? stateless = null)
    {
        Id = id;
        Principal = principal;
        Tenant = tenant;
        Server = server;
        Target = target;
        IsLegacy = legacy;
        Stateless = stateless;
        ProtocolVersion = stateless is null ? null : Http.StatelessEnvelope.Version;
        Sandbox = sandbox;
        _context = context;
        _onEnded = onEnded;
        _pins = new SessionPins(tenant, server, target);
        _lastActivity = context.Time.GetTimestamp();
        _policy = new SessionToolPolicy(target.Tools, principal.Role);
        _output = target.OutputGuard == OutputGuardMode.Redact ? new OutputGuard(target.SecretValues) : null;
        _streams = new SessionStreams(context.Options, context.TenantReplay(tenant));
        StartedAt = context.Time.GetUtcNow();
        // Before the reader loop starts: the sandbox's exit may end the session at once, and its log must end after it began.
        context.Logs.Opened(this);
        ReaderLoop = Task.Run(ReadLoopAsync);
    }

    public string Id { get; }

    public SmcpPrincipal Principal { get; }

    public string Tenant { get; }

    public string Server { get; }

    public McpServerTarget Target { get; }

    /// <summary>A session of the 2024-11-05 HTTP+SSE transport: every answer goes to its one stream.</summary>
    public bool IsLegacy { get; }

    public RunningSandbox Sandbox { get; }

    /// <summary>Set for the sandbox of a credential's 2026-07-28 requests (keyed by its correlation key, never by an Mcp-Session-Id).</summary>
    public StatelessServer? Stateless { get; }

    public bool IsStateless => Stateless is not null;

    /// <summary>When the session opened, by the injected clock.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The version the initialize result named; null until then.</summary>
    public string? ProtocolVersion { get; private set; }

    /// <summary>The standalone GET stream (stream 0): server messages that belong to no request.</summary>
    public EventStream GetStream => _streams.GetStream;

    /// <summary>Completes with the reason once the session has ended.</summary>
    public Task<string> Ended => _ended.Task;

    public bool IsEnded => Volatile.Read(ref _ending) != 0;

    internal Task ReaderLoop { get; }

    /// <summary>Time since the client last sent a message or had a request answered, by the injected clock.</summary>
    public TimeSpan IdleFor => _context.Time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Bytes the session keeps now: its pending requests' reservations and every stream's buffer, against <see cref="ProxyOptions.SessionReplayBudgetBytes"/>.</summary>
    public long BufferedBytes => _streams.Budget.Used;

    /// <summary>Server responses to ids nobody waits for (never asked, already answered, cancelled or timed out): dropped, never kept.</summary>
    public long UnroutedResponses => Interlocked.Read(ref _unroutedResponses);

    /// <summary>Whether <paramref name="principal"/> may use this session at this URL.</summary>
    public bool BelongsTo(SmcpPrincipal principal, string tenant, string server) =>
        principal.Id == Principal.Id && tenant == Tenant && server == Server;

    public EventStream? FindStream(int number) => _streams.Find(number);

    /// <summary>Forwards a POST's messages in order; its requests wait in the returned exchange.</summary>
    /// <remarks>
    /// Takes no cancellation token on purpose: a client that goes away mid-POST must not cut a line to
    /// the sandbox's stdin in half; the write is bounded by the sandbox's own write timeout.
    /// </remarks>
    public async Task<SubmitOutcome> SubmitAsync(IReadOnlyList<JsonRpcMessage> messages)
    {
        Touch();
        Exchange? exchange = null;
        var duplicates = new Dictionary<JsonRpcMessage, PendingRequest>(ReferenceEqualityComparer.Instance);
        var requests = messages.Where(m => m.Kind == MessageKind.Request).Select(m => (Message: m, Pending: NewPending(m))).ToList();
        var candidates = requests.ConvertAll(r => r.Pending);
        Dictionary<JsonRpcMessage, (PendingRequest Pending, ProxyRefusal Refusal)>? withheld = null;
        foreach (var (request, pending) in requests)
        {
            if (((_blocks.RefusalFor(request) ?? _pins.RefusalFor(request)) is { } blocked ? new ProxyRefusal(blocked, ScanOutcomes.Withheld, null) : _policy.RefusalFor(request)
                ?? (Stateless?.LocalAnswer(request) is { } local ? new ProxyRefusal(local, "ok", null) : null)) is { } refusal)
            {
                withheld ??= new Dictionary<JsonRpcMessage, (PendingRequest, ProxyRefusal)>(ReferenceEqualityComparer.Instance);
                withheld.Add(request, (pending, refusal));
            }
        }

        lock (_gate)
        {
            if (IsEnded)
            {
                candidates.ForEach(p => p.Deadline?.Dispose());
                return new SubmitOutcome(SubmitStatus.Ended, null);
            }

            if (candidates.Count > 0)
            {
                if (_pending.Count + candidates.Count > _context.Options.MaxInFlightRequestsPerSession)
                {
                    candidates.ForEach(p => p.Deadline?.Dispose());
                    return new SubmitOutcome(SubmitStatus.TooManyInFlight, null);
                }

                if (!_streams.Reserve(candidates))
                {
                    candidates.ForEach(p => p.Deadline?.Dispose());
                    return new SubmitOutcome(SubmitStatus.BudgetFull, null);
                }

                exchange = IsLegacy ? new Exchange(GetStream, ownsStream: false) : new Exchange(_streams.NewPostStream(), ownsStream: true);
                foreach (var (request, pending) in requests)
                {
                    pending.Exchange = exchange;
                    exchange.Outstanding++;
                    if (withheld?.ContainsKey(request) == true)
                    {
                        // Names an entry the scan removed from a listing, or one the tool policy refuses: answered below, never forwarded.
                        pending.Deadline?.Dispose();
                        continue;
                    }

                    if (!_pending.TryAdd(pending.Id.Key, pending))
                    {
                        pending.Deadline?.Dispose();
                        duplicates.Add(request, pending);
                        continue;
                    }

                    if (pending.ProgressToken is { } token)
                    {
                        _byProgressToken[token] = pending;
                    }
                }
            }
        }

        foreach (var message in messages)
        {
            if (withheld is not null && withheld.TryGetValue(message, out var refused))
            {
                Answer(exchange!, refused.Pending, refused.Refusal.Answer);
                _ = AuditAsync(refused.Pending, refused.Refusal.Outcome, refused.Refusal.Answer.Length, refused.Refusal.Detail);
                continue;
            }

            if (duplicates.TryGetValue(message, out var duplicate))
            {
                Answer(exchange!, duplicate, JsonRpcErrors.For(message.Id, ErrorCodes.InvalidRequest,
                    $"A request with id {message.Id!.Value.Json} is already in flight in this session."));
                continue;
            }

            if (message.CancelledId is { } cancelled)
            {
                Resolve(cancelled, JsonRpcErrors.For(cancelled, ErrorCodes.RequestCancelled, "The request was cancelled."), "cancelled");
            }

            if (message.Kind == MessageKind.Request && requests.Find(r => ReferenceEquals(r.Message, message)).Pending is { } forwarded)
            {
                forwarded.BeginRoundTrip(Id);
            }

            try
            {
                await Sandbox.SendAsync(message.Line, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // The sandbox has ended: the reader loop answers every pending request with why.
                break;
            }
        }

        return new SubmitOutcome(SubmitStatus.Accepted, exchange);
    }

    /// <summary>Attaches a reader to the GET stream; null when one is attached and <paramref name="takeOver"/> is false.</summary>
    public CancellationTokenSource? AttachGetReader(bool takeOver)
    {
        CancellationTokenSource? replaced;
        CancellationTokenSource reader;
        lock (_gate)
        {
            replaced = _getConsumer is { IsCancellationRequested: false } current ? current : null;
            if (replaced is not null && !takeOver)
            {
                return null;
            }

            _getConsumer = reader = new CancellationTokenSource();
        }

        // Outside the lock: the old reader's cancellation runs its pump's clean-up, which takes the lock.
        replaced?.Cancel();
        return reader;
    }

    public void DetachGetReader(CancellationTokenSource reader, long deliveredUpTo)
    {
        lock (_gate)
        {
            _getDelivered = Math.Max(_getDelivered, deliveredUpTo);
            if (ReferenceEquals(_getConsumer, reader))
            {
                _getConsumer = null;
            }
        }

        // Not disposed: a reconnection may be cancelling it right now, and it holds no timer or handle.
    }

    /// <summary>Where a fresh GET (no Last-Event-ID) starts: after what an earlier GET reader already wrote.</summary>
    public long GetDelivered
    {
        get
        {
            lock (_gate)
            {
                return _getDelivered;
            }
        }
    }

    private PendingRequest NewPending(JsonRpcMessage request)
    {
        var pending = new PendingRequest(request, _context.Time.GetTimestamp());
        pending.Deadline = _context.Time.CreateTimer(
            static state =>
            {
                var (session, expired) = ((McpSession, PendingRequest))state!;
                session.Expire(expired);
            },
            (this, pending), _context.Options.MaxRequestDuration, Timeout.InfiniteTimeSpan);
        return pending;
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, _context.Time.GetTimestamp());
}
