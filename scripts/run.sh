#!/usr/bin/env bash
# Runs SMCP on this machine with a demo tenant and server: installs and starts dockerd (with runsc)
# and PostgreSQL if needed, builds the demo image, starts `smcp serve` on 127.0.0.1:8080, uploads
# and deploys the demo MCP server through the API, makes a demo sign-in user for OAuth clients,
# then prints its MCP URL and an API key.
# Ctrl-C stops SMCP.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/engine.sh

smcp_prerequisites
smcp_start_engine
smcp_start_postgres
bash tests/images/build.sh >/dev/null

demo="$SMCP_STATE/demo"
mkdir -p "$demo" && chmod 700 "$demo"
[[ -f "$demo/master.key" ]] || (umask 077 && head -c 32 /dev/urandom | base64 > "$demo/master.key")
[[ -f "$demo/admin.key" ]] || (umask 077 && printf 'smcp-admin-%s\n' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > "$demo/admin.key")
cat > "$demo/smcp.yaml" <<YAML
listen: [ "http://127.0.0.1:8080" ]
instanceId: smcp-demo
postgres:
  connectionString: "Host=127.0.0.1;Port=55432;Database=smcp_demo;Username=smcp_app"
  ownerConnectionString: "Host=127.0.0.1;Port=55432;Database=smcp_demo;Username=smcp_owner"
tenants:
  - id: demo
    name: Demo tenant
YAML

dotnet build Orchestrator -c Release -v quiet -nologo >/dev/null
export SMCP_MASTER_KEY SMCP_ADMIN_KEY
SMCP_MASTER_KEY=$(cat "$demo/master.key")
SMCP_ADMIN_KEY=$(cat "$demo/admin.key")
SMCP_PG_SUPERUSER='Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres' \
  dotnet Orchestrator/bin/Release/net10.0/smcp.dll serve --config "$demo/smcp.yaml" &
smcp_pid=$!
trap 'kill "$smcp_pid" 2>/dev/null; wait "$smcp_pid" 2>/dev/null' INT TERM EXIT

api=http://127.0.0.1:8080
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "$api/readyz" && break
  kill -0 "$smcp_pid" 2>/dev/null || { smcp_log "smcp exited; see its output above"; exit 1; }
  sleep 0.5
done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
auth=(-H "Authorization: Bearer $SMCP_ADMIN_KEY")
tarball=$(mktemp) && docker save -o "$tarball" "$(docker image inspect --format '{{.Id}}' smcp-test/everything:test)"
image=$(curl -sf "${auth[@]}" -H 'Content-Type: application/x-tar' --data-binary "@$tarball" "$api/v1/tenants/demo/images?server=everything" | json "['image']")
rm -f "$tarball"
url=$(curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' -d "{\"image\":\"$image\"}" "$api/v1/tenants/demo/servers/everything" | json "['url']")
key=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"demo-'"$(date +%s)"'","role":"tenant-user"}' "$api/v1/tenants/demo/keys" | json "['key']")
# A person to sign in as through the tenant's built-in OAuth issuer (made once; exit 5 means it exists).
[[ -f "$demo/user.password" ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$demo/user.password")
user_status=0
dotnet Orchestrator/bin/Release/net10.0/smcp.dll user add --tenant demo --email demo@example.com --config "$demo/smcp.yaml" \
  < "$demo/user.password" >/dev/null || user_status=$?
[[ $user_status -eq 0 || $user_status -eq 5 ]] || { smcp_log "smcp user add failed (exit $user_status)"; exit 1; }

cat <<MSG

SMCP is running (Ctrl-C stops it).
  MCP URL:      $api$url
  API key:      $key            (send as: Authorization: Bearer <key>)
  OAuth:        clients that sign in (OAuth 2.1) find the issuer from the URL alone;
                sign in as demo@example.com with the password in $demo/user.password
  Admin key:    in $demo/admin.key (tenant and admin API at $api/v1/…, OpenAPI at $api/openapi/v1.json)

MSG
bash examples/clients.sh "$api$url" "$key"
wait "$smcp_pid"
