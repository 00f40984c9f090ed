CREATE TABLE images (
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id),
    id         text NOT NULL,
    docker_id  text NOT NULL,
    reference  text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    vetting    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE images ENABLE ROW LEVEL SECURITY;
ALTER TABLE images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON images
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON images TO smcp_app;

CREATE TABLE servers (
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id),
    name       text NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    image_id   text NOT NULL,
    args       jsonb NOT NULL DEFAULT '[]',
    env        jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name),
    FOREIGN KEY (tenant_id, image_id) REFERENCES images (tenant_id, id)
);
ALTER TABLE servers ENABLE ROW LEVEL SECURITY;
ALTER TABLE servers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON servers
    USING (tenant_id = current_setting('smcp.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON servers TO smcp_app;
