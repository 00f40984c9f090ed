using Npgsql;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Data;

/// <summary>Proves, table by table, that smcp_app with one tenant set cannot touch another tenant's rows.</summary>
public sealed class RowLevelSecurityTests
{
    private const string Own = "acme";
    private const string Other = "globex";

    // Every table with tenant data, and a fresh row of the other tenant to try to insert.
    private static readonly Dictionary<string, string> ForeignInserts = new()
    {
        ["tenants"] = $"INSERT INTO tenants (tenant_id, name, status) VALUES ('{Other}', 'x', 'active')",
        ["api_keys"] = $"INSERT INTO api_keys (tenant_id, name, role, hash) VALUES ('{Other}', 'k2', 'read-only', sha256('k2'))",
        ["images"] = $"INSERT INTO images (tenant_id, id, docker_id, reference, size_bytes) VALUES ('{Other}', 'img2', 'd', 'r', 1)",
        ["servers"] = $"INSERT INTO servers (tenant_id, name, image_id) VALUES ('{Other}', 'srv2', 'img')",
        ["tenant_data_keys"] = $"INSERT INTO tenant_data_keys (tenant_id, wrapped_key) VALUES ('{Other}', '\\x01')",
        ["secrets"] = $"INSERT INTO secrets (tenant_id, server, name, ciphertext) VALUES ('{Other}', 'srv', 's2', '\\x01')",
        ["sessions"] = $"INSERT INTO sessions (tenant_id, id, server, principal) VALUES ('{Other}', 's2', 'srv', 'p')",
        ["audit_log"] = $"INSERT INTO audit_log (tenant_id, seq, at, action, outcome, prev_hash, hash) VALUES ('{Other}', 2, now(), 'x', 'ok', sha256(''), sha256(''))",
        ["oauth_users"] = $"INSERT INTO oauth_users (tenant_id, email) VALUES ('{Other}', 'b@x.example')",
        ["oauth_clients"] = $"INSERT INTO oauth_clients (tenant_id, client_id, kind, grant_types, auth_method) VALUES ('{Other}', 'c2', 'registered', ARRAY['authorization_code'], 'none')",
        ["oauth_codes"] = $"INSERT INTO oauth_codes (tenant_id, code_hash, client_id, user_id, redirect_uri, code_challenge, resource, scope, expires_at) VALUES ('{Other}', sha256('c2'), 'c', '{UserId}', 'r', 'x', 'r', 'mcp', now())",
        ["oauth_refresh_tokens"] = $"INSERT INTO oauth_refresh_tokens (tenant_id, token_hash, family_id, client_id, subject, resource, scope, expires_at) VALUES ('{Other}', sha256('t2'), gen_random_uuid(), 'c', 's', 'r', 'mcp', now())",
        ["oauth_revoked_families"] = $"INSERT INTO oauth_revoked_families (tenant_id, family_id, reason) VALUES ('{Other}', gen_random_uuid(), 'x')",
        ["tool_pins"] = $"INSERT INTO tool_pins (tenant_id, server, state, version, listing_hash, tools) VALUES ('{Other}', 'srv2', 'approved', 'v', 'h', '[]')",
        ["session_directory"] = $"INSERT INTO session_directory (tenant_id, session_id, replica_id) VALUES ('{Other}', 's2', 'r')",
        ["rate_windows"] = $"INSERT INTO rate_windows (tenant_id, kind, window_start, used) VALUES ('{Other}', 'starts', now(), 1)",
    };

    // Each tenant's one user, the same id in both (ids are unique per tenant only).
    private const string UserId = "00000000-0000-0000-0000-000000000001";

    private static readonly string[] TenantTables = [.. ForeignInserts.Keys];

    // audit_log and oauth_revoked_families have no UPDATE or DELETE grant at all (audit_log's own test covers it).
    private static readonly string[] UpdatableTenantTables = [.. TenantTables.Where(t => t is not ("audit_log" or "oauth_revoked_families"))];

    // OAuth rows are never deleted by the app: codes and tokens are marked used or revoked, so reuse can be recognised.
    private static readonly string[] DeletableTenantTables = [.. UpdatableTenantTables.Where(t => !t.StartsWith("oauth_", StringComparison.Ordinal))];

    private PostgresFixture _pg = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("rls");
        await _pg.AddTenantsAsync(Own, Other);
        foreach (var tenant in new[] { Own, Other })
        {
            await _pg.SuperuserExecuteAsync($"""
                INSERT INTO api_keys (tenant_id, name, role, hash) VALUES ('{tenant}', 'k', 'tenant-user', sha256('{tenant}'));
                INSERT INTO images (tenant_id, id, docker_id, reference, size_bytes) VALUES ('{tenant}', 'img', 'sha256:1', 'smcp/{tenant}/srv:1', 1);
                INSERT INTO servers (tenant_id, name, image_id) VALUES ('{tenant}', 'srv', 'img');
                INSERT INTO tenant_data_keys (tenant_id, wrapped_key) VALUES ('{tenant}', '\x00');
                INSERT INTO secrets (tenant_id, server, name, ciphertext) VALUES ('{tenant}', 'srv', 's', '\x00');
                INSERT INTO sessions (tenant_id, id, server, principal) VALUES ('{tenant}', 's1', 'srv', 'p');
                INSERT INTO audit_log (tenant_id, seq, at, action, outcome, prev_hash, hash) VALUES ('{tenant}', 1, now(), 'x', 'ok', sha256(''), sha256(''));
                INSERT INTO oauth_users (tenant_id, id, email) VALUES ('{tenant}', '{UserId}', 'a@x.example');
                INSERT INTO oauth_clients (tenant_id, client_id, kind, grant_types, auth_method) VALUES ('{tenant}', 'c', 'registered', ARRAY['authorization_code'], 'none');
                INSERT INTO oauth_codes (tenant_id, code_hash, client_id, user_id, redirect_uri, code_challenge, resource, scope, expires_at)
                    VALUES ('{tenant}', sha256('c'), 'c', '{UserId}', 'r', 'x', 'r', 'mcp', now());
                INSERT INTO oauth_refresh_tokens (tenant_id, token_hash, family_id, client_id, subject, resource, scope, expires_at)
                    VALUES ('{tenant}', sha256('t'), gen_random_uuid(), 'c', 's', 'r', 'mcp', now());
                INSERT INTO oauth_revoked_families (tenant_id, family_id, reason) VALUES ('{tenant}', gen_random_uuid(), 'x');
                INSERT INTO tool_pins (tenant_id, server, state, version, listing_hash, tools) VALUES ('{tenant}', 'srv', 'approved', 'v', 'h', '[]');
                INSERT INTO session_directory (tenant_id, session_id, replica_id) VALUES ('{tenant}', 's1', 'r');
                INSERT INTO rate_windows (tenant_id, kind, window_start, used) VALUES ('{tenant}', 'requests', now(), 1);
                """);
        }
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task The_proof_covers_every_table_with_a_tenant_id_and_each_has_forced_rls_and_its_policy()
    {
        await using var connection = new NpgsqlConnection(_pg.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                      AND pg_get_expr(p.polqual, p.polrelid) = '(tenant_id = current_setting(''smcp.tenant_id''::text, true))'
                      AND pg_get_expr(p.polwithcheck, p.polrelid) = '(tenant_id = current_setting(''smcp.tenant_id''::text, true))')
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'tenant_registry'
            ORDER BY c.relname
            """, connection);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add($"{reader.GetString(0)} rls={reader.GetBoolean(1)} force={reader.GetBoolean(2)} policies={reader.GetInt64(3)}");
        }

        Assert.That(found, Is.EqualTo(TenantTables.Order(StringComparer.Ordinal).Select(t => $"{t} rls=True force=True policies=1").ToList()));
    }

    [Test]
    public async Task The_app_role_is_not_superuser_not_owner_and_cannot_bypass_rls()
    {
        var attributes = await _pg.SuperuserScalarAsync<string>(
            "SELECT rolsuper::text || ' ' || rolbypassrls::text FROM pg_roles WHERE rolname = 'smcp_app'");
        var ownedByApp = await _pg.SuperuserScalarAsync<long>(
            "SELECT count(*) FROM pg_class WHERE relowner = 'smcp_app'::regrole");
        Assert.That(attributes, Is.EqualTo("false false"));
        Assert.That(ownedByApp, Is.EqualTo(0));
    }

    [Test]
    public async Task Public_has_no_privileges_on_the_schema_or_the_database()
    {
        var grants = await _pg.SuperuserScalarAsync<long>($"""
            SELECT (SELECT count(*) FROM pg_namespace, aclexplode(nspacl) a WHERE nspname = 'public' AND a.grantee = 0)
                 + (SELECT count(*) FROM pg_database, aclexplode(datacl) a WHERE datname = '{_pg.Database}' AND a.grantee = 0)
            """);
        Assert.That(grants, Is.EqualTo(0));
    }

    [TestCaseSource(nameof(TenantTables))]
    public async Task App_sees_only_its_own_tenants_rows(string table)
    {
        var visible = await AsAppAsync(Own, $"SELECT format('%s/%s', count(*) FILTER (WHERE tenant_id = '{Own}'), count(*)) FROM {table}");
        Assert.That(visible, Is.EqualTo("1/1"));
    }

    [TestCaseSource(nameof(TenantTables))]
    public async Task App_without_a_tenant_sees_no_rows(string table)
    {
        await using var connection = await _pg.AppDataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(0L));
    }

    [TestCaseSource(nameof(TenantTables))]
    public void App_cannot_insert_a_row_for_another_tenant(string table)
    {
        Assert.That(async () => await AsAppAsync(Own, ForeignInserts[table]),
            Throws.TypeOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InsufficientPrivilege));
    }

    [TestCaseSource(nameof(UpdatableTenantTables))]
    public async Task App_cannot_update_another_tenants_rows(string table)
    {
        var updated = await AsAppAsync(Own, $"WITH u AS (UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = '{Other}' RETURNING 1) SELECT count(*)::text FROM u");
        var remaining = await _pg.SuperuserScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = '{Other}'");
        Assert.That((updated, remaining), Is.EqualTo(("0", 1L)));
    }

    [TestCaseSource(nameof(DeletableTenantTables))]
    public async Task App_cannot_delete_another_tenants_rows(string table)
    {
        var deleted = await AsAppAsync(Own, $"WITH d AS (DELETE FROM {table} WHERE tenant_id = '{Other}' RETURNING 1) SELECT count(*)::text FROM d");
        var remaining = await _pg.SuperuserScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = '{Other}'");
        Assert.That((deleted, remaining), Is.EqualTo(("0", 1L)));
    }

    [TestCaseSource(nameof(UpdatableTenantTables))]
    public void App_cannot_move_its_rows_to_another_tenant(string table)
    {
        Assert.That(async () => await AsAppAsync(Own, $"UPDATE {table} SET tenant_id = '{Other}' WHERE tenant_id = '{Own}'"),
            Throws.TypeOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InsufficientPrivilege));
    }

    [TestCase("UPDATE audit_log SET outcome = 'error'")]
    [TestCase("DELETE FROM audit_log")]
    [TestCase("TRUNCATE audit_log")]
    public void App_cannot_change_its_own_audit_rows(string sql)
    {
        Assert.That(async () => await AsAppAsync(Own, sql),
            Throws.TypeOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InsufficientPrivilege));
    }

    private Task<string?> AsAppAsync(string tenant, string sql) =>
        _pg.Db.RunAsync(tenant, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            return (await command.ExecuteScalarAsync())?.ToString();
        }, CancellationToken.None);
}
