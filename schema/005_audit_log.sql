-- Append-only and hash-chained per tenant: hash = SHA-256(prev_hash || canonical row bytes), seq from 1
-- with prev_hash = 32 zero bytes. smcp_app may only read and insert. No foreign key to tenants, so an
-- audit row is never refused for a tenant the sync has not seen yet.
CREATE TABLE audit_log (
    tenant_id  text NOT NULL,
    seq        bigint NOT NULL CHECK (seq >= 1),
    at         timestamptz NOT NULL,
    principal  text,
    session_id text,
    action     text NOT NULL,
    target     text,
    outcome    text NOT NULL,
    latency_ms double precision NOT NULL DEFAULT 0,
    bytes_in   bigint NOT NULL DEFAULT 0,
    bytes_out  bigint NOT NULL DEFAULT 0,
    detail     jsonb,
    prev_hash  bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash       bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT ON audit_log TO smcp_app;
