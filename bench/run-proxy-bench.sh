#!/usr/bin/env bash
# One command for the proxy benchmark (bench/README.md): prepares its inputs outside the repo, under
# $SMCP_STATE/bench, then runs every system side by side and plots.
#   bash bench/run-proxy-bench.sh            # the full run (about 20 minutes on 2 cores)
#   bash bench/run-proxy-bench.sh quick      # a smoke run
# Needs dockerd with runsc and the test images (bash tests/images/build.sh), Postgres on 127.0.0.1:55432
# (. scripts/engine.sh && smcp_start_engine && smcp_start_postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export SMCP_STATE="${SMCP_STATE:-/var/lib/smcp-dev}"
. scripts/engine.sh
node="$(smcp_node22)"
dir="$SMCP_STATE/bench"
mkdir -p "$dir"
# server-everything exactly as in the sandbox image, to run as a host process and behind supergateway.
if [[ ! -f "$dir/everything/app/node_modules/@modelcontextprotocol/server-everything/dist/index.js" ]]; then
  rm -rf "$dir/everything" && mkdir -p "$dir/everything"
  cid="$(docker create smcp-test/everything:test)"
  docker cp "$cid:/app" "$dir/everything/app"
  docker rm "$cid" >/dev/null
fi
if [[ ! -f "$dir/supergateway/node_modules/supergateway/dist/index.js" ]]; then
  mkdir -p "$dir/supergateway"
  (cd "$dir/supergateway" && npm install --silent --no-audit --no-fund supergateway@4.0.0 >/dev/null)
fi
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  smcp_apt_install python3-matplotlib
fi
mode="${1:-all}"
[[ $# -gt 0 ]] && shift
dotnet run -c Release --project bench/Proxy.Bench -- "$mode" --node "$node" "$@"
out=bench/results
/usr/bin/python3 bench/plot_proxy.py "$out/proxy-throughput.csv" bench/proxy-throughput.png
