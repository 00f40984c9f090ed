#!/usr/bin/env bash
# Soak (issue 10, on demand): the built `smcp serve` under mixed load for SMCP_SOAK_MINUTES (default 30): worker threads
# (SMCP_SOAK_WORKERS, default 4) each open a session, list tools, make 20 tool calls and end it, over and over, while one
# more reads the API (servers, sessions, an audit page). Every SMCP_SOAK_SAMPLE_SECONDS (default 30), after a warm-up of
# SMCP_SOAK_WARMUP_SECONDS (default 20), it samples smcp's RSS, open fds (/proc/PID/fd), threads and the containers of
# its instance, then prints a table and, per measure, whether it is flat: the median of the last quarter of the samples
# against the median of the first quarter, within 25 % or a fixed slack (RSS 32 MiB, fds 20, threads 8, containers =
# workers), whichever is larger. Exit 0 when all are flat, 3 when one is not, 1 when the run broke.
# Needs dockerd with runsc, Postgres on 127.0.0.1:55432 and the test images (. scripts/engine.sh && smcp_test_services).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/engine.sh

minutes=${SMCP_SOAK_MINUTES:-30}
dir=$(mktemp -d /tmp/smcp-soak-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="smcp_soak_$(date +%s)"
cat > "$dir/smcp.yaml" <<YAML
listen: [ "http://127.0.0.1:$port" ]
instanceId: smcp-soak
postgres:
  connectionString: "Host=127.0.0.1;Port=55432;Database=$db;Username=smcp_app"
  ownerConnectionString: "Host=127.0.0.1;Port=55432;Database=$db;Username=smcp_owner"
defaults:
  runtime: runc
  warmPoolSize: 0
tenants:
  - id: soak
    quotas: { requestsPerMinute: 1000000, maxSessions: 64, sessionStartsPerMinute: 100000 }
YAML

dotnet build Orchestrator -c Release -v quiet -nologo >/dev/null
export SMCP_MASTER_KEY SMCP_ADMIN_KEY
SMCP_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
SMCP_ADMIN_KEY="smcp-soak-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
SMCP_PG_SUPERUSER='Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres' \
  dotnet Orchestrator/bin/Release/net10.0/smcp.dll serve --config "$dir/smcp.yaml" >"$dir/smcp.log" 2>&1 &
smcp_pid=$!
cleanup() {
  kill "$smcp_pid" 2>/dev/null && wait "$smcp_pid" 2>/dev/null
  psql -h 127.0.0.1 -p 55432 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

api=http://127.0.0.1:$port
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "$api/openapi/v1.json" && break
  kill -0 "$smcp_pid" 2>/dev/null || { cat "$dir/smcp.log"; smcp_log "smcp exited"; exit 1; }
  sleep 0.5
done
tarball="$dir/hostile.tar"
docker save -o "$tarball" "$(docker image inspect --format '{{.Id}}' smcp-test/hostile:test)"
auth=(-H "Authorization: Bearer $SMCP_ADMIN_KEY")
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
image=$(curl -sf "${auth[@]}" -H 'Content-Type: application/x-tar' --data-binary "@$tarball" "$api/v1/tenants/soak/images?server=notes" | json "['image']")
curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' -d "{\"image\":\"$image\"}" "$api/v1/tenants/soak/servers/notes" >/dev/null
key=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"soak","role":"tenant-user"}' "$api/v1/tenants/soak/keys" | json "['key']")

python3 - "$api" "$key" "$SMCP_ADMIN_KEY" "$smcp_pid" "$minutes" <<'PY'
import json, os, statistics, subprocess, sys, threading, time, urllib.request, urllib.error
api, key, admin, pid, minutes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
workers = int(os.environ.get("SMCP_SOAK_WORKERS", "4"))
every = float(os.environ.get("SMCP_SOAK_SAMPLE_SECONDS", "30"))
warmup = float(os.environ.get("SMCP_SOAK_WARMUP_SECONDS", "20"))
end = time.time() + minutes * 60
counts = {"calls": 0, "sessions": 0, "api": 0, "errors": 0, "5xx": 0}
lock = threading.Lock()

def count(name, n=1):
    with lock:
        counts[name] += n

def post(body, session=None, method="POST"):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session:
        headers |= {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"}
    request = urllib.request.Request(f"{api}/t/soak/notes/mcp", data=None if body is None else json.dumps(body).encode(), headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Mcp-Session-Id"), response.read().decode()
    except urllib.error.HTTPError as e:
        if e.code >= 500:
            count("5xx")
        return e.code, None, e.read().decode()

def worker():
    while time.time() < end:
        try:
            status, session, _ = post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                       "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "soak", "version": "1"}}})
            if status != 200 or not session:
                count("errors"); time.sleep(1); continue
            count("sessions")
            post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
            post({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, session)
            for i in range(20):
                status, _, body = post({"jsonrpc": "2.0", "id": 2 + i, "method": "tools/call", "params": {"name": "echo", "arguments": {"message": f"m{i}"}}}, session)
                count("calls" if status == 200 and '"result"' in body else "errors")
            post(None, session, "DELETE")
        except (urllib.error.URLError, OSError):
            count("errors"); time.sleep(1)

def reader():
    paths = ["/v1/tenants/soak/servers", "/v1/tenants/soak/sessions", "/v1/tenants/soak/audit?limit=100"]
    i = 0
    while time.time() < end:
        request = urllib.request.Request(api + paths[i % 3], headers={"Authorization": f"Bearer {admin}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            count("api")
        except urllib.error.HTTPError as e:
            count("5xx" if e.code >= 500 else "errors")
        except (urllib.error.URLError, OSError):
            count("errors")
        i += 1
        time.sleep(0.2)

def sample():
    status = open(f"/proc/{pid}/status").read()
    field = lambda name: int(next(l.split()[1] for l in status.splitlines() if l.startswith(name + ":")))
    containers = subprocess.run(["docker", "ps", "-q", "--filter", "label=smcp.instance=smcp-soak"], capture_output=True, text=True).stdout.split()
    return {"rss_mib": field("VmRSS") / 1024, "fds": len(os.listdir(f"/proc/{pid}/fd")), "threads": field("Threads"), "containers": len(containers)}

threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)] + [threading.Thread(target=reader, daemon=True)]
for t in threads:
    t.start()
start = time.time()
time.sleep(min(warmup, max(0, end - time.time())))
samples = []
while True:
    with lock:
        snapshot = dict(counts)
    samples.append((time.time() - start, sample(), snapshot))
    if time.time() + every > end:
        break
    time.sleep(every)
for t in threads:
    t.join(timeout=90)

print(f"Soak: {minutes:g} min, {workers} workers, sample every {every:g} s after {warmup:g} s warm-up")
print(f"{'t (s)':>7} {'RSS MiB':>8} {'fds':>5} {'threads':>7} {'containers':>10} {'calls':>8} {'sessions':>8} {'api':>6} {'errors':>6} {'5xx':>4}")
for at, s, c in samples:
    print(f"{at:7.0f} {s['rss_mib']:8.1f} {s['fds']:5d} {s['threads']:7d} {s['containers']:10d} {c['calls']:8d} {c['sessions']:8d} {c['api']:6d} {c['errors']:6d} {c['5xx']:4d}")
quarter = max(1, len(samples) // 4)
slack = {"rss_mib": 32, "fds": 20, "threads": 8, "containers": workers}
flat = True
for name, fixed in slack.items():
    first = statistics.median(s[name] for _, s, _ in samples[:quarter])
    last = statistics.median(s[name] for _, s, _ in samples[-quarter:])
    allowed = max(fixed, 0.25 * first)
    ok = last - first <= allowed
    flat &= ok
    print(f"{name}: first-quarter median {first:.1f}, last-quarter median {last:.1f}, allowed growth {allowed:.1f}: {'flat' if ok else 'GROWS'}")
with lock:
    final = dict(counts)
print(f"totals: {final['calls']} tool calls, {final['sessions']} sessions, {final['api']} API reads, {final['errors']} errors, {final['5xx']} 5xx")
sys.exit(0 if flat and final["5xx"] == 0 else 3)
PY
