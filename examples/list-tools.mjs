// Lists the tools of a server hosted by SMCP, with the official MCP TypeScript SDK client.
// Usage: npm ci && node list-tools.mjs <MCP URL> <API key>   (package.json here pins the SDK)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error("usage: node list-tools.mjs <MCP URL> <API key>");
  process.exit(2);
}

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: "smcp-example", version: "1.0.0" });
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  for (const tool of tools) {
    console.log(`${tool.name}: ${tool.description ?? ""}`);
  }
  await transport.terminateSession();
} catch (error) {
  // The SDK's HTTP errors carry the status as a number in `code` (401: the key is wrong or revoked).
  const status = typeof error.code === "number" ? `HTTP ${error.code}: ` : "";
  console.error(`${url}: ${status}${error.message}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
