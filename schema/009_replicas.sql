-- Proxy replicas: each live replica's internal address and heartbeat, the session directory (which replica holds
-- which session, so a request that lands on another replica is forwarded to it), and the shared per-minute windows
-- of the tenants' rate limits. A replica whose heartbeat is older than its lease counts as gone: its directory rows
-- no longer route or count against the tenant's maxSessions, and the next sweep deletes them.
CREATE TABLE replicas (
    replica_id       text PRIMARY KEY CHECK (replica_id ~ '^[A-Za-z0-9_.-]{1,63}$'),
    internal_address text NOT NULL CHECK (length(internal_address) <= 256),
    started_at       timestamptz NOT NULL DEFAULT now(),
    heartbeat_at     timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE, DELETE ON replicas TO smcp_app;

CREATE TABLE session_directory (
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id),
    session_id text NOT NULL CHECK (length(session_id) <= 64),
    replica_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX session_directory_replica ON session_directory (replica_id);
ALTER TABLE session_directory ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_directory FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON session_directory
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON session_directory TO smcp_app;

CREATE TABLE rate_windows (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id),
    kind         text NOT NULL CHECK (kind IN ('requests', 'starts')),
    window_start timestamptz NOT NULL,
    used         integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (tenant_id, kind, window_start)
);
ALTER TABLE rate_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rate_windows
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_windows TO smcp_app;
