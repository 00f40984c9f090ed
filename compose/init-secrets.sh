#!/usr/bin/env bash
# Makes what compose/docker-compose.yml reads, once; files already there are kept (delete one to make it anew):
#   secrets/postgres_password   the Postgres superuser's password (only the postgres container gets it)
#   secrets/smcp.pgpass         smcp_owner's and smcp_app's passwords, pgpass format (smcp and Postgres's first start)
#   smcp.env                    SMCP_MASTER_KEY (32 random bytes, base64) and SMCP_ADMIN_KEY, 0600
#   .env                        SMCP_DOCKER_GID: the group of the engine socket, added to smcp's user
# The secrets folder is 0700 and its files 0644: compose bind-mounts each file into the container,
# where it must be readable by the container's user (nobody for smcp, postgres for Postgres), and
# the folder keeps other users of this host out. Back up smcp.env: without SMCP_MASTER_KEY the
# tenants' secrets and the token-signing keys in the database cannot be decrypted.
set -euo pipefail
cd "$(dirname "$0")"
socket=${DOCKER_SOCKET:-/var/run/docker.sock}
random() { head -c "$1" /dev/urandom | base64 | tr -d '/+=\n'; }

umask 077
mkdir -p secrets && chmod 700 secrets
[[ -s secrets/postgres_password ]] || random 32 > secrets/postgres_password
if [[ ! -s secrets/smcp.pgpass ]]; then
  printf 'postgres:5432:smcp:smcp_owner:%s\npostgres:5432:smcp:smcp_app:%s\n' "$(random 32)" "$(random 32)" > secrets/smcp.pgpass
fi
chmod 644 secrets/postgres_password secrets/smcp.pgpass
if [[ ! -s smcp.env ]]; then
  printf 'SMCP_MASTER_KEY=%s\nSMCP_ADMIN_KEY=smcp-admin-%s\n' "$(head -c 32 /dev/urandom | base64)" "$(random 24)" > smcp.env
fi
chmod 600 smcp.env
[[ -S "$socket" ]] || { echo "no engine socket at $socket (set DOCKER_SOCKET)" >&2; exit 1; }
printf 'COMPOSE_PROJECT_NAME=smcp\nSMCP_DOCKER_GID=%s\n' "$(stat -c %g "$socket")" > .env
echo "compose/secrets, compose/smcp.env and compose/.env are ready; keep smcp.env's master key safe."
