#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d): makes the roles
# SMCP logs in as and its database, as `smcp serve` does with SMCP_PG_SUPERUSER, but with passwords
# (read from the smcp_pgpass secret, lines host:port:database:user:password).
set -euo pipefail
pgpass=/run/secrets/smcp_pgpass
password_of() { awk -F: -v user="$1" '$4 == user { print $5; exit }' "$pgpass"; }
owner_password=$(password_of smcp_owner)
app_password=$(password_of smcp_app)
[[ -n "$owner_password" && -n "$app_password" ]] || { echo "smcp_pgpass names no password for smcp_owner or smcp_app" >&2; exit 1; }

# psql's :'name' quotes the value as a literal, so a password cannot break out of the statement.
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
  -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE smcp_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'owner_password';
CREATE ROLE smcp_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
CREATE DATABASE smcp OWNER smcp_owner ENCODING 'UTF8' TEMPLATE template0;
\connect smcp
REVOKE ALL ON DATABASE smcp FROM PUBLIC;
GRANT CONNECT ON DATABASE smcp TO smcp_app;
ALTER SCHEMA public OWNER TO smcp_owner;
SQL
