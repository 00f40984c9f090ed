-- Tool pinning: per tenant and server, the approved pins (first recorded on the server's first listing, replaced
-- by each approval) and at most one pending change (the latest listing that differed). tools is an array of
-- {name, hash, contentHash, canonical}: canonical is the tool's canonical JSON, null when over 64 KiB.
-- No foreign key to servers: deleting and redeploying a server keeps its pins, so that is no way around them.
CREATE TABLE tool_pins (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id),
    server       text NOT NULL CHECK (server ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    state        text NOT NULL CHECK (state IN ('approved', 'pending')),
    version      text NOT NULL,
    listing_hash text NOT NULL,
    tools        jsonb NOT NULL CHECK (jsonb_typeof(tools) = 'array'),
    changes      jsonb NOT NULL DEFAULT '{}',
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    approved_by  text,
    PRIMARY KEY (tenant_id, server, state)
);
ALTER TABLE tool_pins ENABLE ROW LEVEL SECURITY;
ALTER TABLE tool_pins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tool_pins
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON tool_pins TO smcp_app;
