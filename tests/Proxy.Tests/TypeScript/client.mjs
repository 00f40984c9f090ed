// The official TypeScript SDK client against an MCP URL of the proxy, one case per run.
// Usage: node client.mjs <sdk-install-dir> <url> <bearer-token> <case>
// The transport follows the URL: .../sse is the legacy HTTP+SSE transport, anything else Streamable HTTP.
// Prints one JSON line per check: {"check": name, "ok": bool, "detail": text}; exits 1 when one failed.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Wire } from './wire.mjs';

const [sdkDir, url, token, caseName] = process.argv.slice(2);
const require = createRequire(join(sdkDir, 'package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');
const types = require('@modelcontextprotocol/sdk/types.js');

let failed = false;
function check(name, ok, detail = '') {
  failed ||= !ok;
  console.log(JSON.stringify({ check: name, ok: Boolean(ok), detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }));
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const text = result => (result?.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('');
const range = n => Array.from({ length: n }, (_, i) => i + 1);

async function until(condition, ms) {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await sleep(50);
  return condition();
}

async function connect({ wire = new Wire(), reconnection } = {}) {
  const endpoint = new URL(url);
  const sse = endpoint.pathname.endsWith('/sse');
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  const transport = sse
    ? new SSEClientTransport(endpoint, { requestInit, fetch: wire.fetch })
    : new StreamableHTTPClientTransport(endpoint, { requestInit, fetch: wire.fetch, reconnectionOptions: reconnection });
  const client = new Client({ name: 'smcp-ts-sdk-tests', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  const errors = [];
  client.onerror = error => errors.push(String(error));
  client.setRequestHandler(types.CreateMessageRequestSchema, async request => ({
    role: 'assistant',
    model: 'test-model',
    content: { type: 'text', text: 'sampled: ' + request.params.messages.map(m => m.content.text).join(' ') },
  }));
  client.setRequestHandler(types.ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: 'Ada Lovelace', email: 'ada@example.com', check: true },
  }));
  // A cold sandbox start can take a while when other tests run at the same time.
  await client.connect(transport, { timeout: 180_000 });
  return { client, transport, wire, errors, sse };
}

async function end({ client, transport, sse }) {
  if (!sse) {
    await transport.terminateSession();
  }

  await client.close();
}

const longRunning = 'trigger-long-running-operation';

const cases = {
  async tools(session) {
    const { tools } = await session.client.listTools();
    const names = tools.map(t => t.name);
    check('tools/list has echo, the long-running, sampling and elicitation tools',
      ['echo', longRunning, 'trigger-sampling-request', 'trigger-elicitation-request'].every(n => names.includes(n)), names);
    const echo = await session.client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } });
    check('tools/call echo answers', text(echo) === 'Echo: through the proxy' && !echo.isError, echo);
  },

  async prompts(session) {
    const { prompts } = await session.client.listPrompts();
    const names = prompts.map(p => p.name);
    check('prompts/list has simple-prompt and args-prompt', names.includes('simple-prompt') && names.includes('args-prompt'), names);
    const prompt = await session.client.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris', state: 'IDF' } });
    check('prompts/get fills in the arguments', prompt.messages[0]?.content?.text === "What's weather in Paris, IDF?", prompt);
  },

  async resources(session) {
    const { resources } = await session.client.listResources();
    const uri = 'demo://resource/static/document/features.md';
    check('resources/list has the static documents', resources.some(r => r.uri === uri), resources.map(r => r.uri));
    const read = await session.client.readResource({ uri });
    check('resources/read returns the document', read.contents[0]?.uri === uri && read.contents[0]?.text?.length > 0, read.contents[0]?.uri);
    const { resourceTemplates } = await session.client.listResourceTemplates();
    check('resources/templates/list has the dynamic text template',
      resourceTemplates.some(t => t.uriTemplate === 'demo://resource/dynamic/text/{resourceId}'), resourceTemplates);
    const dynamic = await session.client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    check('resources/read of a templated resource', dynamic.contents[0]?.uri === 'demo://resource/dynamic/text/7' && dynamic.contents[0]?.text?.length > 0, dynamic);
  },

  async subscriptions(session) {
    const uri = 'demo://resource/static/document/features.md';
    const updates = [];
    session.client.setNotificationHandler(types.ResourceUpdatedNotificationSchema, n => updates.push({ uri: n.params.uri, at: Date.now() }));
    check('resources/subscribe is answered', (await session.client.subscribeResource({ uri })) !== undefined);
    const started = await session.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    check('the server starts its simulated updates', text(started).startsWith('Started'), text(started));
    // One update comes at once (while the tool call runs), the next one 5 s later on its own: the GET stream.
    check('notifications/resources/updated arrives for the subscribed resource', await until(() => updates.length >= 1, 3000), updates);
    check('a later update, outside any request, arrives too', await until(() => updates.length >= 2, 8000), updates);
    check('every update names the subscribed resource', updates.every(u => u.uri === uri), updates);
    await session.client.unsubscribeResource({ uri });
    const count = updates.length;
    await sleep(5500);
    check('no update arrives after resources/unsubscribe', updates.length === count, updates);
    await session.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
  },

  async sampling(session) {
    const result = await session.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi there', maxTokens: 10 } });
    check('sampling/createMessage from the server is answered by the client',
      text(result).includes('sampled: Resource trigger-sampling-request context: hi there') && text(result).includes('test-model'), text(result));
  },

  async elicitation(session) {
    const result = await session.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    check('elicitation/create from the server is answered by the client',
      text(result).includes('- Name: Ada Lovelace') && text(result).includes('- Email: ada@example.com'), text(result));
  },

  async progress(session) {
    const progress = [];
    const result = await session.client.callTool({ name: longRunning, arguments: { duration: 1.5, steps: 3 } }, undefined, {
      onprogress: p => progress.push(p),
    });
    check('every progress notification reaches onprogress, in order', JSON.stringify(progress.map(p => p.progress)) === '[1,2,3]', progress);
    check('progress notifications carry the total', progress.every(p => p.total === 3), progress);
    check('the result follows the progress', text(result).startsWith('Long running operation completed'), text(result));
  },

  async cancellation(session) {
    const abort = new AbortController();
    let progressed;
    const firstProgress = new Promise(resolve => (progressed = resolve));
    const call = session.client.callTool({ name: longRunning, arguments: { duration: 20, steps: 20 } }, undefined, {
      signal: abort.signal,
      onprogress: progressed,
    });
    const outcome = call.then(() => 'resolved', error => error);
    await Promise.race([firstProgress, outcome]);
    const abortedAt = Date.now();
    abort.abort('cancelled by the test');
    const rejected = await outcome;
    check('the aborted call rejects at once', rejected !== 'resolved' && Date.now() - abortedAt < 2000, String(rejected));
    const sent = () => session.wire.exchanges.find(x => x.rpc === 'notifications/cancelled' && x.status !== undefined);
    await until(sent, 3000);
    check('notifications/cancelled is POSTed and accepted with 202', sent()?.status === 202, sent() ?? 'not sent');
    const echo = await session.client.callTool({ name: 'echo', arguments: { message: 'after cancel' } });
    check('the session goes on after the cancellation', text(echo) === 'Echo: after cancel', echo);
  },
};

// Streamable HTTP only: the legacy transport has no resumption.
const resumptionCases = {
  // The SDK notices the cut itself and resumes with GET + Last-Event-ID after the server's retry interval.
  async 'resumption-auto'() {
    const wire = new Wire();
    wire.cutAfter(longRunning, 2);
    const session = await connect({ wire });
    const progress = [];
    const result = await session.client.callTool({ name: longRunning, arguments: { duration: 4, steps: 8 } }, undefined, {
      onprogress: p => progress.push(p.progress),
      timeout: 60_000,
    });
    const cut = await wire.cutDone;
    report(session, cut, progress, result);
    await end(session);
  },

  // No automatic reconnection: the caller keeps the token from onresumptiontoken and resumes later itself.
  async 'resumption-token'() {
    const wire = new Wire();
    wire.cutAfter(longRunning, 2);
    const session = await connect({ wire, reconnection: { initialReconnectionDelay: 100, maxReconnectionDelay: 100, reconnectionDelayGrowFactor: 1, maxRetries: 0 } });
    const progress = [];
    const tokens = [];
    const call = session.client.callTool({ name: longRunning, arguments: { duration: 4, steps: 8 } }, undefined, {
      onprogress: p => progress.push(p.progress),
      onresumptiontoken: t => tokens.push(t),
      timeout: 60_000,
    });
    const cut = await wire.cutDone;
    // The server goes on while no connection is open: about three events happen with no one to take them.
    await sleep(1500);
    check('only the events before the cut arrived while cut off', JSON.stringify(progress) === '[1,2]', progress);
    check('onresumptiontoken reported the id of the last event received', tokens.at(-1) === cut.lastEventId, { tokens, cut });
    await session.transport.resumeStream(tokens.at(-1), { onresumptiontoken: t => tokens.push(t) });
    const result = await call;
    report(session, cut, progress, result);
    await end(session);
  },
};

function report(session, cut, progress, result) {
  const resume = session.wire.exchanges.find(x => x.method === 'GET' && x.lastEventId);
  check('the connection was cut after the second progress event', cut?.lastEventId !== undefined, cut ?? 'no cut');
  check('the stream was resumed by GET with the Last-Event-ID of the last event received',
    resume?.lastEventId === cut?.lastEventId && resume?.status === 200, { resume, cut });
  check('every progress event arrived exactly once, in order', JSON.stringify(progress) === JSON.stringify(range(8)), progress);
  check('the result arrived after the resumption', text(result).startsWith('Long running operation completed'), text(result));
  const responses = session.wire.events.filter(e => e.responseTo !== undefined && e.stream === resume?.stream);
  check('the resumed stream carried the result exactly once', responses.length === 1, responses);
}

const watchdog = setTimeout(() => {
  check(`case ${caseName} finished within 150 s`, false);
  process.exit(1);
}, 150_000);

try {
  if (resumptionCases[caseName]) {
    await resumptionCases[caseName]();
  } else if (cases[caseName]) {
    const session = await connect();
    await cases[caseName](session);
    await end(session);
  } else {
    check(`case ${caseName} exists`, false, Object.keys({ ...cases, ...resumptionCases }));
  }
} catch (error) {
  check(`case ${caseName} ran to the end`, false, error?.stack ?? String(error));
}

clearTimeout(watchdog);
process.exit(failed ? 1 : 0);
