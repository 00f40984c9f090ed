-- OAuth 2.1: the built-in authorization server's data. Every table but the signing keys is tenant
-- data, under the same row-level security as the rest: one issuer per tenant, so every request
-- to the authorization server names its tenant in the path before any row is read.

-- The installation's token-signing keys. Not tenant data (every tenant's issuer signs with them;
-- the public halves are published at /oauth/jwks), so no row-level security. The private key is
-- sealed with the master key (AES-256-GCM), never stored in the clear. smcp_app may add keys and
-- retire them, never delete or rewrite one.
CREATE TABLE oauth_signing_keys (
    kid          text PRIMARY KEY CHECK (length(kid) BETWEEN 8 AND 64),
    alg          text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
    public_jwk   text NOT NULL,
    sealed_key   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Set when a newer key takes over signing: the key is still published (tokens it signed stay
    -- valid) until retired_at + the access-token lifetime, then dropped from the key set.
    retired_at   timestamptz
);
GRANT SELECT, INSERT ON oauth_signing_keys TO smcp_app;
GRANT UPDATE (retired_at) ON oauth_signing_keys TO smcp_app;

-- People who sign in to a tenant's issuer. Email is stored lower-cased; the password hash is
-- ASP.NET Core Identity's PasswordHasher format (PBKDF2-HMAC-SHA512). upstream_subject links a
-- user to the tenant's upstream OIDC provider (issuer + sub) when sign-in goes there.
CREATE TABLE oauth_users (
    tenant_id        text NOT NULL REFERENCES tenants (tenant_id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    email            text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash    text,
    failed_attempts  integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    upstream_subject text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    disabled_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);
CREATE UNIQUE INDEX oauth_users_upstream ON oauth_users (tenant_id, upstream_subject) WHERE upstream_subject IS NOT NULL;

-- Clients: registered through /register (RFC 7591), created by a tenant admin for services
-- (client_credentials), or a client ID metadata document's URL remembered after a fetch.
CREATE TABLE oauth_clients (
    tenant_id      text NOT NULL REFERENCES tenants (tenant_id),
    client_id      text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 2048),
    kind           text NOT NULL CHECK (kind IN ('registered', 'service')),
    client_name    text,
    redirect_uris  text[] NOT NULL DEFAULT '{}',
    grant_types    text[] NOT NULL,
    auth_method    text NOT NULL CHECK (auth_method IN ('none', 'client_secret_basic', 'client_secret_post')),
    secret_hash    bytea CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
    scope          text NOT NULL DEFAULT 'mcp',
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    PRIMARY KEY (tenant_id, client_id)
);

-- Authorization codes, stored as the SHA-256 of the code; single use. A second redemption revokes
-- the refresh-token family the first one started (RFC 6749 section 4.1.2).
CREATE TABLE oauth_codes (
    tenant_id      text NOT NULL REFERENCES tenants (tenant_id),
    code_hash      bytea NOT NULL CHECK (length(code_hash) = 32),
    client_id      text NOT NULL,
    user_id        uuid NOT NULL,
    redirect_uri   text NOT NULL,
    code_challenge text NOT NULL,
    resource       text NOT NULL,
    scope          text NOT NULL,
    family_id      uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    PRIMARY KEY (tenant_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES oauth_users (tenant_id, id)
);

-- Refresh tokens, stored as the SHA-256 of the token. Each use rotates: the old row gets used_at
-- and a new row of the same family is written. A used token presented again revokes the family.
CREATE TABLE oauth_refresh_tokens (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id),
    token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
    family_id   uuid NOT NULL,
    client_id   text NOT NULL,
    subject     text NOT NULL,
    resource    text NOT NULL,
    scope       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens (tenant_id, family_id);

-- A revoked family: every refresh token of it is refused, whenever it was issued.
CREATE TABLE oauth_revoked_families (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id),
    family_id   uuid NOT NULL,
    reason      text NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, family_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['oauth_users', 'oauth_clients', 'oauth_codes', 'oauth_refresh_tokens', 'oauth_revoked_families'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = current_setting('smcp.tenant_id', true))
            WITH CHECK (tenant_id = current_setting('smcp.tenant_id', true))$p$, t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON oauth_users, oauth_clients, oauth_codes, oauth_refresh_tokens TO smcp_app;
GRANT SELECT, INSERT ON oauth_revoked_families TO smcp_app;
