using System.Text;
using System.Text.Json;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Guard.Pinning;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;

namespace Smcp.Proxy.Sessions;

internal sealed partial class McpSession
{
    /// <summary>Ends the session: answers what is in flight with <paramref name="clientMessage"/>, closes its streams, removes its sandbox. Runs once.</summary>
    public async Task EndAsync(string reason, string clientMessage, string outcome = "session-ended")
    {
        List<PendingRequest> inFlight;
        List<EventStream> streams;
        lock (_gate)
        {
            if (_ending != 0)
            {
                inFlight = [];
                streams = [];
            }
            else
            {
                _ending = 1;
                inFlight = [.. _pending.Values];
                streams = [.. _streams.All()];
                _getConsumer = null;
            }
        }

        if (streams.Count == 0)
        {
            // Another caller is ending it (the stream list always holds the GET stream).
            await Ended.ConfigureAwait(false);
            return;
        }

        _onEnded(this);
        foreach (var pending in inFlight)
        {
            Resolve(pending.Id, JsonRpcErrors.For(pending.Id, ErrorCodes.ServerError, clientMessage), outcome);
        }

        foreach (var stream in streams)
        {
            stream.Complete();
        }

        _streams.Budget.Detach();

        await Sandbox.DisposeAsync().ConfigureAwait(false);
        _context.Logs.Ended(this);
        Log.SessionEnded(_context.Logger, Id, Tenant, Server, reason);
        try
        {
            await _context.Recorder.SessionEndedAsync(Tenant, Id, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, Id);
        }
        finally
        {
            _ended.TrySetResult(reason);
        }
    }

    private async Task ReadLoopAsync()
    {
        using var scope = Log.SessionScope(_context.Logger, Tenant, Server, Id);
        try
        {
            // Server output does not count as activity: the idle timeout is about the client.
            await foreach (var line in Sandbox.Messages.ReadAllAsync().ConfigureAwait(false))
            {
                if (JsonRpcMessage.FromServerLine(line) is not { } message)
                {
                    Log.UnroutableServerMessage(_context.Logger, Id);
                    continue;
                }

                if (message.Kind == MessageKind.Response)
                {
                    if (message.Id is not { } id || !Resolve(id, line, message.IsError ? "error" : "ok", message))
                    {
                        // An answer to a request that was cancelled, timed out, already answered or never made: nobody waits for it.
                        Log.UnroutedResponse(_context.Logger, Id, Interlocked.Increment(ref _unroutedResponses));
                    }

                    continue;
                }

                if (message.Kind == MessageKind.Request && Stateless is { IsBridged: true } && message.Id is { } serverRequest)
                {
                    await RefuseServerRequestAsync(serverRequest).ConfigureAwait(false);
                    continue;
                }

                if (message.Method == "notifications/tools/list_changed")
                {
                    _pins.ListChanged();
                }

                var stream = StreamFor(message);
                if (_streams.Notice(stream, line) != ReplayTake.Taken)
                {
                    Log.NoticeDropped(_context.Logger, Id, stream.Number, line.Length, stream.Dropped);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ReaderFailed(_context.Logger, ex, Id);
        }

        if (IsEnded)
        {
            return;
        }

        SandboxExit exit;
        try
        {
            // As first seen, not after the wait for a late OOM flag: the waiting clients are told at once.
            exit = await Sandbox.ExitSeen.WaitAsync(_context.Options.SandboxExitWait, _context.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            exit = new SandboxExit(SandboxExitReason.EngineError, null, false);
        }

        await EndAsync("sandbox exited: " + exit.Reason, exit.Describe(), "sandbox-exited").ConfigureAwait(false);
    }

    /// <summary>Server requests and notifications go to the stream of the request they belong to, else to the GET stream; never to all.</summary>
    private EventStream StreamFor(JsonRpcMessage message)
    {
        lock (_gate)
        {
            if (IsLegacy)
            {
                return GetStream;
            }

            if (message.ProgressToken is { } token && _byProgressToken.TryGetValue(token, out var owner) && !owner.Exchange.Stream.IsCompleted)
            {
                return owner.Exchange.Stream;
            }

            // A subscriptions/listen stream's notifications name the listen request they belong to.
            if (message.SubscriptionId is { } subscription && _pending.TryGetValue(subscription.Key, out var listen) && !listen.Exchange.Stream.IsCompleted)
            {
                return listen.Exchange.Stream;
            }

            // A request or notification the server sends while exactly one client request runs belongs to it
            // (sampling, elicitation, logging during a tool call); with several running it cannot be told apart.
            Exchange? only = null;
            foreach (var pending in _pending.Values)
            {
                if (only is not null && !ReferenceEquals(only, pending.Exchange))
                {
                    return GetStream;
                }

                only = pending.Exchange;
            }

            return only is { Stream.IsCompleted: false } ? only.Stream : GetStream;
        }
    }

    /// <summary>Answers a pending request with <paramref name="line"/>; false when no request with that id is pending.</summary>
    private bool Resolve(RequestId id, ReadOnlyMemory<byte> line, string outcome, JsonRpcMessage? response = null)
    {
        PendingRequest? pending;
        bool completes;
        lock (_gate)
        {
            if (!_pending.Remove(id.Key, out pending))
            {
                return false;
            }

            if (pending.ProgressToken is { } token && _byProgressToken.TryGetValue(token, out var owner) && ReferenceEquals(owner, pending))
            {
                _byProgressToken.Remove(token);
            }

            completes = --pending.Exchange.Outstanding == 0 && pending.Exchange.OwnsStream;
            if (pending.Method == "initialize" && response?.ResultProtocolVersion is { } version)
            {
                ProtocolVersion = version;
            }
        }

        pending.Deadline?.Dispose();
        JsonElement? detail = null;
        var original = line;
        if (response is { IsError: false } && pending.Listing is { } listing && Target.ToolScan != ToolScanPolicy.Off)
        {
            var guarded = _context.Guard.Inspect(listing, line, pending.Id, Target.ToolScan);
            if (Target.ToolScan == ToolScanPolicy.Block && guarded.Verdict is { } verdict)
            {
                // Before the answer is appended: the client cannot call a removed entry before the session refuses it.
                _blocks.Record(listing, verdict);
            }

            (line, outcome, detail) = (guarded.Line, guarded.Outcome ?? outcome, guarded.Detail);
            if (guarded.Outcome == ScanOutcomes.Filtered)
            {
                Log.ListingFiltered(_context.Logger, Id, Tenant, Server, guarded.Verdict!.Blocked.Count, listing.ListMethod, guarded.Verdict.FindingCount);
            }
            else if (guarded.Outcome == ScanOutcomes.Withheld)
            {
                Log.ListingWithheld(_context.Logger, Id, Tenant, Server, listing.ListMethod);
            }
        }

        if (response is { IsError: false } && pending.Listing == ListingKind.Tools && _pins.IsOn)
        {
            // Before the answer is appended, as above: a tool removed here is refused before the client can call it.
            var pinned = _pins.Inspect(original, line, pending.Id);
            line = pinned.Line;
            if (pinned.Event is { } pinEvent)
            {
                Log.PinEvent(_context.Logger, Id, Tenant, Server, pinEvent.Action, pinEvent.Outcome);
                _ = AuditPinAsync(pinEvent);
            }

            if (pinned.Observation is { } observation)
            {
                _ = RecordPinsAsync(observation);
            }
        }

        if (response is { IsError: false } && pending.Listing == ListingKind.Tools)
        {
            line = _policy.Listed(line, pending.Id);
        }

        if (response is { IsError: false } && IsStateless)
        {
            line = RequestStateSeal.SealIn(line, state => _context.Keys.Seal(Principal.Id, Tenant, Server, state));
        }

        if (response is not null && _output is { } output && pending.Method == "tools/call")
        {
            var guarded = output.Inspect(line, pending.Id);
            (line, outcome, detail) = (guarded.Line, guarded.Outcome ?? outcome, guarded.Detail ?? detail);
        }

        // A request answered is the client's exchange ending: idle time (reaping, reclaiming) counts from here, so a
        // session whose call ran longer than its idle timeout is not ended the moment its answer arrives.
        Touch();

        // The round trip ends before the answer is appended: the append wakes the POST, which may then write the answer and
        // end the request's span, and a child span must not outlive its parent. A too-large answer is the proxy's verdict
        // after the trip; the request's metric and audit row carry it.
        pending.EndRoundTrip(outcome);
        var stream = pending.Exchange.Stream;
        if (response is null)
        {
            // The proxy's own error answer: it fits the request's reservation.
            stream.AppendAnswer(line, pending.Reserved, completes, force: true);
        }
        else if (!_streams.Answer(stream, line, pending.Reserved, completes))
        {
            Log.AnswerTooLarge(_context.Logger, Id, line.Length);
            var tooLarge = JsonRpcErrors.For(id, ErrorCodes.InternalError,
                $"Answer too large for the session's buffer: the server's answer of {line.Length} bytes was dropped.");
            stream.AppendAnswer(tooLarge, pending.Reserved, completes, force: true);
            (line, outcome) = (tooLarge, "too-large");
        }

        _ = AuditAsync(pending, outcome, line.Length, detail);
        return true;
    }

    /// <summary>Answers a request that was never forwarded (a duplicate id), in its reservation.</summary>
    private void Answer(Exchange exchange, PendingRequest duplicate, byte[] line)
    {
        bool completes;
        lock (_gate)
        {
            completes = --exchange.Outstanding == 0 && exchange.OwnsStream;
        }

        exchange.Stream.AppendAnswer(line, duplicate.Reserved, completes, force: true);
    }

    /// <summary>
    /// A stateless request whose client went away: with no session to resume in, nobody can read its answer, so it is
    /// cancelled on the server and its place among the requests in flight is freed (an open subscriptions/listen above all).
    /// </summary>
    public void Abandon(RequestId id)
    {
        if (Resolve(id, JsonRpcErrors.For(id, ErrorCodes.RequestCancelled, "The client went away."), "cancelled"))
        {
            _ = CancelOnServerAsync(id, "The client went away.");
        }
    }

    private void Expire(PendingRequest pending)
    {
        var message = $"The request did not complete within {_context.Options.MaxRequestDuration.TotalSeconds:0.###} seconds and was cancelled.";
        if (Resolve(pending.Id, JsonRpcErrors.For(pending.Id, ErrorCodes.RequestTimedOut, message), "timeout"))
        {
            _ = CancelOnServerAsync(pending.Id);
        }
    }

    private async Task CancelOnServerAsync(RequestId id, string reason = "The request timed out.")
    {
        var line = Encoding.UTF8.GetBytes(
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id.Json + ",\"reason\":\"" + reason + "\"}}");
        try
        {
            await Sandbox.SendAsync(line, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The sandbox has ended; there is nothing left to cancel.
        }
    }

    private async Task RefuseServerRequestAsync(RequestId id)
    {
        try
        {
            await Sandbox.SendAsync(StatelessServer.RefuseServerRequest(id), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The sandbox has ended; nobody is left to tell.
        }
    }

    private async Task AuditPinAsync(PinEvent pinEvent)
    {
        var auditEvent = new McpAuditEvent(Tenant, Principal.Id, Id, pinEvent.Action, Server, pinEvent.Outcome, 0, 0, 0) { Detail = pinEvent.Detail };
        try
        {
            await _context.Recorder.AuditAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, Id);
        }
    }

    private async Task RecordPinsAsync(ToolPinObservation observation)
    {
        try
        {
            await _context.Recorder.PinsObservedAsync(observation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, Id);
        }
    }

    private async Task AuditAsync(PendingRequest pending, string outcome, long bytesOut, JsonElement? detail = null)
    {
        var elapsed = _context.Time.GetElapsedTime(pending.StartedAt);
        _context.Metrics.Answered(Tenant, pending.Method, outcome, elapsed);
        var auditEvent = new McpAuditEvent(
            Tenant, Principal.Id, Id, pending.Method, pending.Target, outcome, elapsed.TotalMilliseconds, pending.RequestBytes, bytesOut)
        {
            Detail = detail,
        };
        try
        {
            await _context.Recorder.AuditAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, Id);
        }
    }
}
