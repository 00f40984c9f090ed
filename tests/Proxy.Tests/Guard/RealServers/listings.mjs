// Fetches the real listings of the MCP servers pinned in this folder's package.json, over stdio, with the
// official TypeScript SDK client. Usage: node listings.mjs <install-dir> <work-dir>
// Prints one JSON line per listing: {"server": name, "method": "tools/list", "result": <the result as received>}.
// A listing the server does not offer (no capability) is left out; any other failure exits 1.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [installDir, workDir] = process.argv.slice(2);
const require = createRequire(join(installDir, 'package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const types = require('@modelcontextprotocol/sdk/types.js');
const bin = pkg => join(installDir, 'node_modules', pkg);

// Placeholder credentials: listing needs none, but these servers refuse to start without them.
const servers = [
  { name: 'server-everything', args: [bin('@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] },
  { name: 'server-filesystem', args: [bin('@modelcontextprotocol/server-filesystem/dist/index.js'), workDir] },
  { name: 'server-memory', args: [bin('@modelcontextprotocol/server-memory/dist/index.js')], env: { MEMORY_FILE_PATH: join(workDir, 'memory.json') } },
  { name: 'server-sequential-thinking', args: [bin('@modelcontextprotocol/server-sequential-thinking/dist/index.js')] },
  { name: 'server-github', args: [bin('@modelcontextprotocol/server-github/dist/index.js')], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'placeholder' } },
  { name: 'server-gitlab', args: [bin('@modelcontextprotocol/server-gitlab/dist/index.js')], env: { GITLAB_PERSONAL_ACCESS_TOKEN: 'placeholder' } },
  { name: 'server-slack', args: [bin('@modelcontextprotocol/server-slack/dist/index.js')], env: { SLACK_BOT_TOKEN: 'placeholder', SLACK_TEAM_ID: 'T0' } },
  { name: 'server-brave-search', args: [bin('@modelcontextprotocol/server-brave-search/dist/index.js')], env: { BRAVE_API_KEY: 'placeholder' } },
  { name: 'server-google-maps', args: [bin('@modelcontextprotocol/server-google-maps/dist/index.js')], env: { GOOGLE_MAPS_API_KEY: 'placeholder' } },
  { name: 'mcp-server-chart', args: [bin('@antv/mcp-server-chart/build/index.js')] },
];

const listings = [
  ['tools', 'tools/list', types.ListToolsResultSchema],
  ['prompts', 'prompts/list', types.ListPromptsResultSchema],
  ['resources', 'resources/list', types.ListResourcesResultSchema],
  ['resources', 'resources/templates/list', types.ListResourceTemplatesResultSchema],
];

for (const server of servers) {
  const transport = new StdioClientTransport({
    command: process.execPath, args: server.args, cwd: workDir, stderr: 'ignore',
    env: { PATH: process.env.PATH, HOME: workDir, ...server.env },
  });
  const client = new Client({ name: 'smcp-listing-fetch', version: '1.0.0' });
  await client.connect(transport);
  const capabilities = client.getServerCapabilities() ?? {};
  for (const [capability, method, schema] of listings) {
    if (!capabilities[capability]) continue;
    // Every page, as a client would fetch them.
    let cursor;
    do {
      const result = await client.request({ method, params: cursor ? { cursor } : {} }, schema);
      console.log(JSON.stringify({ server: server.name, method, result }));
      cursor = result.nextCursor;
    } while (cursor);
  }
  await client.close();
}
