// The official TypeScript SDK v2 client (protocol revision 2026-07-28) against MCP URLs of the proxy.
// Usage: node client.mjs <sdk-install-dir> <modern-url> <old-server-url> <bearer-token>
// Prints one JSON line per check: {"check": name, "ok": bool, "detail": text}; exits 1 when one failed.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [sdkDir, modernUrl, oldUrl, token] = process.argv.slice(2);
const require = createRequire(join(sdkDir, 'package.json'));
const { Client, StreamableHTTPClientTransport } = require('@modelcontextprotocol/client');

let failed = false;
function check(name, ok, detail = '') {
  failed ||= !ok;
  console.log(JSON.stringify({ check: name, ok: Boolean(ok), detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }));
}

const text = result => (result?.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('');
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function connect(url, negotiation) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'smcp-ts-sdk-v2-tests', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, ...(negotiation ? { versionNegotiation: negotiation } : {}) });
  client.setRequestHandler('elicitation/create', async request => ({
    action: 'accept', content: { name: 'Ada', color: 'teal', ok: true, message: request.params.message },
  }));
  await client.connect(transport);
  return client;
}

async function attempt(name, body) {
  try {
    await body();
  } catch (error) {
    check(name, false, String(error?.stack ?? error));
  }
}

await attempt('modern-session', async () => {
  const client = await connect(modernUrl, { mode: 'auto' });
  check('modern-era', client.getProtocolEra() === 'modern', { era: client.getProtocolEra(), version: client.getNegotiatedProtocolVersion() });
  const tools = await client.listTools();
  check('modern-list-tools', tools.tools.some(t => t.name === 'echo'), tools.tools.map(t => t.name));
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'v2' } });
  check('modern-call', text(echo) === 'Echo: v2', echo);
  // The rounds run inside callTool: elicitation answered by the handler above, the sealed requestState echoed back each time.
  const elicited = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
  check('modern-input-required', text(elicited) === 'Hello, Ada!', elicited);
  const rounds = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
  check('modern-multi-round-request-state', text(rounds) === 'multi-round complete', rounds);

  let changed = 0;
  client.setNotificationHandler('notifications/tools/list_changed', () => { changed++; });
  const subscription = await client.listen({ toolsListChanged: true });
  await client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
  for (const end = Date.now() + 10000; changed === 0 && Date.now() < end; ) await sleep(50);
  check('modern-listen-list-changed', changed > 0, { changed });
  await subscription.close();
  await client.close();
});

await attempt('bridged-session', async () => {
  const client = await connect(oldUrl, { mode: 'auto' });
  check('bridged-era', client.getProtocolEra() === 'modern', { era: client.getProtocolEra() });
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'old' } });
  check('bridged-call', text(echo) === 'Echo: old', echo);
  await client.close();
});

await attempt('legacy-session', async () => {
  const client = await connect(modernUrl);
  check('legacy-era', client.getProtocolEra() === 'legacy', { era: client.getProtocolEra(), version: client.getNegotiatedProtocolVersion() });
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
  check('legacy-call', text(echo) === 'Echo: legacy', echo);
  await client.close();
});

process.exit(failed ? 1 : 0);
