#!/usr/bin/env bash
# Builds the smcp image (default tag smcp:local) FROM scratch out of local files, no registry:
# `dotnet publish` self-contained for linux-x64, the shared libraries its native parts load, copied
# from this host with their loader (as tests/images/build.sh does for the test servers), CA
# certificates, /etc/passwd and /etc/group with nobody, and an empty uploads folder owned by nobody.
# Needs the .NET 10 SDK and dockerd (scripts/engine.sh installs the latter).
# Usage: bash compose/build-image.sh [TAG]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-smcp:local}
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/rootfs/app" "$context/uploads"

dotnet publish "$root/Orchestrator" -c Release -r linux-x64 --self-contained \
  -p:InvariantGlobalization=true -p:UseAppHost=true -p:GenerateDocumentationFile=false \
  -o "$context/rootfs/app" -v quiet -nologo >/dev/null
# The LTTng trace provider needs liblttng; traces are off (DOTNET_LTTng=0).
rm -f "$context/rootfs/app/libcoreclrtraceptprovider.so"

# What the program and its native libraries link against, and OpenSSL, which .NET opens by name at run time.
libraries() {
  ldd "$context/rootfs/app/smcp" "$context"/rootfs/app/*.so 2>/dev/null | awk '$1 ~ /:$/ { next } $1 ~ /^\// { print $1 } $3 ~ /^\// { print $3 }'
  ldconfig -p | awk '$1 ~ /^(libssl|libcrypto)\.so\.3$/ && $NF ~ /^\// { print $NF }'
}
for lib in $(libraries | sort -u); do
  cp --parents -L "$lib" "$context/rootfs"
done
cp --parents -L /etc/ssl/certs/ca-certificates.crt "$context/rootfs"
mkdir -p "$context/rootfs/etc" "$context/rootfs/tmp" && chmod 1777 "$context/rootfs/tmp"
printf 'root:x:0:0:root:/:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' > "$context/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$context/rootfs/etc/group"

docker build -q -f "$root/compose/Dockerfile" -t "$tag" "$context" >/dev/null
echo "$tag"
