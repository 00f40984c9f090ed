-- A tenant's data key, wrapped (encrypted) by the master key; the plaintext key never reaches the database.
CREATE TABLE tenant_data_keys (
    tenant_id   text PRIMARY KEY REFERENCES tenants (tenant_id),
    wrapped_key bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_data_keys
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_data_keys TO smcp_app;

-- Secrets may be set before the server they belong to is deployed, so no foreign key to servers.
CREATE TABLE secrets (
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id),
    server     text NOT NULL,
    name       text NOT NULL,
    ciphertext bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, server, name)
);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON secrets
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON secrets TO smcp_app;
