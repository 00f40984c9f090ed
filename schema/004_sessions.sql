CREATE TABLE sessions (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id),
    id           text NOT NULL,
    server       text NOT NULL,
    principal    text NOT NULL,
    sandbox_id   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    end_reason   text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sessions_open ON sessions (tenant_id, last_seen_at) WHERE ended_at IS NULL;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO smcp_app;
