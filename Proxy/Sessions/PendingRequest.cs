using Smcp.Proxy.Json;

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

/// <summary>A client request forwarded to the sandbox and not yet answered.</summary>
internal sealed class PendingRequest(JsonRpcMessage request, long startedAt)
{
    public JsonRpcMessage Request { get; } = request;

    public RequestId Id { get; } = request.Id!.Value;

    /// <summary>Set when the request is registered, under the session's lock.</summary>
    public Exchange Exchange { get; set; } = null!;

    public long StartedAt { get; } = startedAt;

    public ITimer? Deadline { get; set; }
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
}

internal readonly record struct SubmitOutcome(SubmitStatus Status, Exchange? Exchange);
