// A fetch for the SDK transports that records what crosses the wire and can cut one SSE response
// in the middle, the way a dropped connection does: the bytes after the cut never reach the client.

/** Every HTTP exchange (method, status, Last-Event-ID, JSON-RPC method of the body) and every SSE event the client received. */
export class Wire {
  exchanges = [];
  events = [];
  /** When set, the POST whose body contains `match` is cut right after its `afterProgress`-th progress event. */
  cut = undefined;
  cutDone = undefined;

  constructor() {
    this.cutDone = new Promise(resolve => (this._cutResolve = resolve));
  }

  cutAfter(match, afterProgress) {
    this.cut = { match, afterProgress };
  }

  fetch = async (url, init = {}) => {
    const method = init.method ?? 'GET';
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : undefined;
    const exchange = { method, lastEventId: headers.get('last-event-id'), rpc: rpcMethod(body), status: undefined, stream: this.exchanges.length };
    this.exchanges.push(exchange);
    const cut = method === 'POST' && this.cut && body?.includes(this.cut.match) ? this.cut : undefined;
    if (cut) {
      this.cut = undefined;
    }

    // The connection of a cut response is aborted for real, so the server sees the client go away.
    const connection = new AbortController();
    init.signal?.addEventListener('abort', () => connection.abort(init.signal.reason), { once: true });
    const response = await fetch(url, { ...init, signal: connection.signal });
    exchange.status = response.status;
    if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      return response;
    }

    const body2 = this._relay(response.body, exchange.stream, cut, connection);
    return new Response(body2, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  // Passes the stream on event by event (so a cut falls exactly between two events) and records each one.
  _relay(source, stream, cut, connection) {
    const reader = source.pipeThrough(new TextDecoderStream()).getReader();
    const encoder = new TextEncoder();
    let buffer = '';
    let progressSeen = 0;
    let cutAt;
    const wire = this;
    return new ReadableStream({
      async pull(controller) {
        if (cutAt) {
          // Give the client a moment to take in the last event it got, then drop the connection.
          await new Promise(resolve => setTimeout(resolve, 100));
          connection.abort(new Error('connection cut by the test'));
          controller.error(new TypeError('terminated: connection cut by the test'));
          reader.cancel().catch(() => {});
          wire._cutResolve(cutAt);
          return;
        }

        for (;;) {
          const end = buffer.search(/\r?\n\r?\n/);
          if (end >= 0) {
            const separator = buffer.slice(end).match(/^\r?\n\r?\n/)[0];
            const raw = buffer.slice(0, end + separator.length);
            buffer = buffer.slice(end + separator.length);
            const event = parseEvent(raw);
            wire.events.push({ stream, ...event });
            controller.enqueue(encoder.encode(raw));
            if (cut && event.method === 'notifications/progress' && ++progressSeen === cut.afterProgress) {
              cutAt = { stream, lastEventId: event.id };
            }
            return;
          }

          const { value, done, error } = await reader.read().catch(error => ({ error }));
          if (error) {
            controller.error(error);
            return;
          }

          if (done) {
            controller.close();
            return;
          }

          buffer += value;
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => {});
      },
    });
  }
}

function rpcMethod(body) {
  try {
    const message = JSON.parse(body ?? 'null');
    return message?.method ?? (message && 'result' in message ? 'result' : undefined);
  } catch {
    return undefined;
  }
}

function parseEvent(raw) {
  let id;
  let data = '';
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith('id:')) id = line.slice(3).trimStart();
    else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).trimStart();
  }

  let message;
  try {
    message = data ? JSON.parse(data) : undefined;
  } catch {
    message = undefined;
  }

  return {
    id,
    method: message?.method,
    responseTo: message && ('result' in message || 'error' in message) ? message.id : undefined,
    progress: message?.method === 'notifications/progress' ? message.params.progress : undefined,
  };
}
