#!/usr/bin/env bash
# Prints ready-to-run MCP client snippets for one SMCP MCP URL and API key: scripts/run.sh prints
# them, README.md shows them (for the demo URL), and tests run each one against a real host.
# Usage: bash examples/clients.sh URL KEY [inspector|typescript|csharp|ide]   (no name: all, with headings)
set -euo pipefail
url=${1:?usage: clients.sh URL KEY [inspector|typescript|csharp|ide]}
key=${2:?usage: clients.sh URL KEY [inspector|typescript|csharp|ide]}
# The snippets are shell commands and JSON: refuse what would need quoting rather than quote it.
[[ $url =~ ^https?://[A-Za-z0-9.:/_~%-]+$ ]] || { echo "'$url' is not an MCP URL of SMCP (http[s]://host[:port]/t/tenant/server/mcp)" >&2; exit 2; }
[[ $key =~ ^[A-Za-z0-9_-]+$ ]] || { echo "the key holds characters an SMCP key does not (letters, digits, '_' and '-')" >&2; exit 2; }

inspector() {
  # --stored-auth-only: a refused key is an error at once, not an interactive OAuth sign-in that waits for a browser.
  printf 'npx -y @modelcontextprotocol/inspector@2.12.0 --cli %s --transport http --header "Authorization: Bearer %s" --stored-auth-only --method tools/list\n' "$url" "$key"
}
typescript() {
  printf '(cd examples && npm ci && node list-tools.mjs %s %s)\n' "$url" "$key"
}
csharp() {
  printf 'dotnet run examples/ListTools.cs -- %s %s\n' "$url" "$key"
}
ide() {
  printf '{\n  "mcpServers": {\n    "smcp": {\n      "type": "http",\n      "url": "%s",\n      "headers": { "Authorization": "Bearer %s" }\n    }\n  }\n}\n' "$url" "$key"
}

if [[ $# -ge 3 ]]; then
  case $3 in
    inspector | typescript | csharp | ide) "$3" ;;
    *) echo "no snippet '$3': inspector, typescript, csharp or ide" >&2; exit 2 ;;
  esac
  exit 0
fi

cat <<TEXT
MCP Inspector CLI (Node 22.19 or later), lists the tools:
  $(inspector)
Official TypeScript SDK client (examples/list-tools.mjs; the SDK pinned in examples/package-lock.json), from the repository's root:
  $(typescript)
Official C# SDK client (examples/ListTools.cs, a .NET 10 file-based app), from the repository's root:
  $(csharp)
IDE configuration (Streamable HTTP with a bearer header; .cursor/mcp.json, .mcp.json and the like):
$(ide | sed 's/^/  /')
TEXT
