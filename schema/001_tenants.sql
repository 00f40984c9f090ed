-- Privileges first: nothing in this database is reachable by PUBLIC, and smcp_app gets exactly
-- what the grants below give it. Roles are created by the bootstrap (they are cluster-wide).
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO smcp_app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Every tenant id smcp.yaml has ever named. It holds no tenant data, only the ids the admin's
-- file already lists, so it has no row-level security: the tenant sync needs it to find the
-- tenants that were removed from the file. Append-only for smcp_app.
CREATE TABLE tenant_registry (
    tenant_id     text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    registered_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON tenant_registry TO smcp_app;

CREATE TABLE tenants (
    tenant_id  text PRIMARY KEY REFERENCES tenant_registry (tenant_id),
    name       text NOT NULL,
    status     text NOT NULL CHECK (status IN ('active', 'suspended', 'removed')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO smcp_app;

CREATE TABLE api_keys (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('tenant-admin', 'tenant-user', 'read-only')),
    hash         bytea NOT NULL CHECK (length(hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, hash)
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (tenant_id, name) WHERE revoked_at IS NULL;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO smcp_app;
