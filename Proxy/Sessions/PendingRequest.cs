using System.Diagnostics;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Json;
using Smcp.Proxy.Telemetry;

namespace Smcp.Proxy.Sessions;

/// <summary>The requests of one POST and the stream their answers go to.</summary>
/// <param name="OwnsStream">False for legacy sessions, whose answers all go to the one GET stream.</param>
internal sealed class Exchange(EventStream stream, bool ownsStream)
{
    public EventStream Stream { get; } = stream;

    public bool OwnsStream { get; } = ownsStream;

    /// <summary>Requests of this exchange still waiting for their answer; guarded by the session's lock.</summary>
    public int Outstanding { get; set; }
}

/// <summary>A client request forwarded to the sandbox and not yet answered: what routing and the audit need, not the request's bytes.</summary>
internal sealed class PendingRequest(JsonRpcMessage request, long startedAt)
{
    /// <summary>Room for the proxy's own error answer besides the id: the longest message it writes is well under this.</summary>
    private const int ErrorAnswerBytes = 512;

    public RequestId Id { get; } = request.Id!.Value;

    public string Method { get; } = request.Method!;

    /// <summary>The listing this request asks for, whose answer the tool-definition scan sees; null for every other method.</summary>
    public ListingKind? Listing { get; } = ListingKind.ForList(request.Method!);

    public string? Target { get; } = request.Target;

    public string? ProgressToken { get; } = request.ProgressToken;

    public long RequestBytes { get; } = request.Line.Length;

    /// <summary>
    /// Bytes held against the session's budget while the request waits: what it keeps (as UTF-16) and room for an
    /// error answer, so the proxy can always answer it (timeout, cancel, session end, answer too large) within the budget.
    /// </summary>
    public long Reserved { get; } = ErrorAnswerBytes + (2L * (request.Id!.Value.Key.Length + request.Id.Value.Json.Length
        + request.Method!.Length + (request.Target?.Length ?? 0) + (request.ProgressToken?.Length ?? 0)));

    /// <summary>Set when the request is registered, under the session's lock.</summary>
    public Exchange Exchange { get; set; } = null!;

    public long StartedAt { get; } = startedAt;

    public ITimer? Deadline { get; set; }

    private Activity? _roundTrip;
    private int _ended;

    /// <summary>Starts the span of the request's way to the sandbox and back, unless it was already answered (a race with a timeout or the session's end).</summary>
    public void BeginRoundTrip(string sessionId)
    {
        if (Volatile.Read(ref _ended) != 0 || ProxyTracing.StartRoundTrip(Method, sessionId) is not { } activity)
        {
            return;
        }

        Interlocked.Exchange(ref _roundTrip, activity);
        if (Volatile.Read(ref _ended) != 0)
        {
            EndRoundTrip("answered");
        }
    }

    /// <summary>Ends the round trip's span, once, whichever of the answer, the timeout or the session's end comes first.</summary>
    public void EndRoundTrip(string outcome)
    {
        Volatile.Write(ref _ended, 1);
        if (Interlocked.Exchange(ref _roundTrip, null) is { } activity)
        {
            ProxyTracing.EndRoundTrip(activity, outcome);
        }
    }
}

/// <summary>What became of a POST's messages.</summary>
internal enum SubmitStatus
{
    /// <summary>Forwarded; requests (if any) wait in the exchange.</summary>
    Accepted,

    /// <summary>The session has ended.</summary>
    Ended,

    /// <summary>The session already has its limit of requests in flight.</summary>
    TooManyInFlight,

    /// <summary>The session's budget has no room left to hold another request until some are answered.</summary>
    BudgetFull,
}

internal readonly record struct SubmitOutcome(SubmitStatus Status, Exchange? Exchange);
