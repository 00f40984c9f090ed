using System.Security.Cryptography;
using System.Text;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Data;

public sealed class StoreTests
{
    private PostgresFixture _pg = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("stores");
        await _pg.AddTenantsAsync("acme", "globex");
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task An_api_key_is_found_by_its_hash_until_it_is_revoked()
    {
        var keys = new ApiKeyStore(_pg.Db);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("smcp_acme_secret-1"));
        var created = await keys.CreateAsync("acme", "ci", ApiKeyRoles.TenantUser, hash, CancellationToken.None);

        var found = await keys.FindActiveByHashAsync("acme", hash, CancellationToken.None);
        var fromOtherTenant = await keys.FindActiveByHashAsync("globex", hash, CancellationToken.None);
        var revoked = await keys.RevokeAsync("acme", created.Value!.Id, CancellationToken.None);
        var afterRevoke = await keys.FindActiveByHashAsync("acme", hash, CancellationToken.None);

        Assert.That((created.Outcome, found?.Id, fromOtherTenant, revoked, afterRevoke),
            Is.EqualTo((StoreOutcome.Ok, (Guid?)created.Value.Id, (ApiKeyRow?)null, true, (ApiKeyRow?)null)));
    }

    [Test]
    public async Task A_second_active_key_with_the_same_name_is_a_conflict_and_touch_sets_last_used()
    {
        var keys = new ApiKeyStore(_pg.Db);
        var first = await keys.CreateAsync("acme", "deploy", ApiKeyRoles.TenantAdmin, SHA256.HashData("a"u8), CancellationToken.None);
        var second = await keys.CreateAsync("acme", "deploy", ApiKeyRoles.ReadOnly, SHA256.HashData("b"u8), CancellationToken.None);
        await keys.TouchAsync("acme", first.Value!.Id, CancellationToken.None);

        var listed = (await keys.ListAsync("acme", CancellationToken.None)).Single(k => k.Id == first.Value.Id);
        Assert.That(second.Outcome, Is.EqualTo(StoreOutcome.Conflict));
        Assert.That(listed.LastUsedAt, Is.Not.Null);
    }

    [Test]
    public async Task A_server_upsert_replaces_its_image_args_and_env_and_needs_an_existing_image()
    {
        var images = new ImageStore(_pg.Db);
        var servers = new ServerStore(_pg.Db);
        foreach (var id in new[] { "img-1", "img-2" })
        {
            await images.AddAsync(new ImageRow { TenantId = "acme", Id = id, DockerId = $"sha256:{id}", Reference = $"smcp/acme/notes:{id}", SizeBytes = 42, VettingJson = """{"ok": true}""" }, 1 << 20, CancellationToken.None);
        }

        await servers.UpsertAsync("acme", "notes", "img-1", ["--stdio"], new Dictionary<string, string> { ["MODE"] = "a" }, 10, CancellationToken.None);
        var replaced = await servers.UpsertAsync("acme", "notes", "img-2", ["--fast", "--stdio"], new Dictionary<string, string> { ["MODE"] = "b" }, 10, CancellationToken.None);
        var missing = await servers.UpsertAsync("acme", "other", "no-such-image", [], new Dictionary<string, string>(), 10, CancellationToken.None);
        var stored = await servers.GetAsync("acme", "notes", CancellationToken.None);
        var deleteInUse = await images.DeleteAsync("acme", "img-2", CancellationToken.None);

        Assert.That(replaced.Outcome, Is.EqualTo(StoreOutcome.Ok));
        Assert.That((stored!.ImageId, string.Join(' ', stored.Args), stored.Env["MODE"]), Is.EqualTo(("img-2", "--fast --stdio", "b")));
        Assert.That(missing.Outcome, Is.EqualTo(StoreOutcome.MissingReference));
        Assert.That(deleteInUse, Is.EqualTo(StoreOutcome.InUse));
    }

    [Test]
    public async Task Deploys_at_once_never_take_a_tenant_past_max_servers_and_a_redeploy_at_the_limit_still_works()
    {
        var images = new ImageStore(_pg.Db);
        var servers = new ServerStore(_pg.Db);
        await images.AddAsync(new ImageRow { TenantId = "globex", Id = "img-q", DockerId = "sha256:img-q", Reference = "smcp/globex/q:img-q", SizeBytes = 42, VettingJson = "{}" }, 1 << 20, CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            servers.UpsertAsync("globex", $"s{i}", "img-q", [], new Dictionary<string, string>(), 3, CancellationToken.None)));
        var deployed = outcomes.Where(o => o.Outcome == StoreOutcome.Ok).Select(o => o.Value!.Name).ToList();
        var redeploy = await servers.UpsertAsync("globex", deployed[0], "img-q", ["--again"], new Dictionary<string, string>(), 3, CancellationToken.None);

        Assert.That(deployed, Has.Count.EqualTo(3));
        Assert.That(outcomes.Count(o => o.Outcome == StoreOutcome.QuotaExceeded), Is.EqualTo(5));
        Assert.That(await servers.ListAsync("globex", CancellationToken.None), Has.Count.EqualTo(3));
        Assert.That(redeploy.Outcome, Is.EqualTo(StoreOutcome.Ok), "replacing a server adds none");
    }

    [Test]
    public async Task Uploads_at_once_never_take_a_tenant_past_its_total_image_bytes_and_a_known_image_is_a_conflict_not_a_cost()
    {
        var images = new ImageStore(_pg.Db);
        ImageRow Image(int i) => new() { TenantId = "globex", Id = $"big-{i}", DockerId = $"sha256:big-{i}", Reference = $"smcp/globex/big:{i}", SizeBytes = 400 };

        var limit = (await images.ListAsync("globex", CancellationToken.None)).Sum(i => i.SizeBytes) + 1000;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => images.AddAsync(Image(i), limit, CancellationToken.None)));
        var again = await images.AddAsync(Image(Array.FindIndex(outcomes, o => o.Outcome == StoreOutcome.Ok)), limit, CancellationToken.None);

        Assert.That(outcomes.Count(o => o.Outcome == StoreOutcome.Ok), Is.EqualTo(2), "two of 400 bytes fit in the 1000 left");
        Assert.That(outcomes.Count(o => o.Outcome == StoreOutcome.QuotaExceeded), Is.EqualTo(4));
        Assert.That(again.Outcome, Is.EqualTo(StoreOutcome.Conflict));
    }

    [Test]
    public async Task A_session_is_open_until_it_is_ended_once()
    {
        var sessions = new SessionStore(_pg.Db);
        var opened = await sessions.OpenAsync("acme", "sess-1", "notes", "key:ci", "sandbox-1", CancellationToken.None);
        var duplicate = await sessions.OpenAsync("acme", "sess-1", "notes", "key:ci", null, CancellationToken.None);
        var openBefore = (await sessions.ListOpenAsync("acme", CancellationToken.None)).Select(s => s.Id).ToList();
        var ended = await sessions.EndAsync("acme", "sess-1", "deleted", CancellationToken.None);
        var endedAgain = await sessions.EndAsync("acme", "sess-1", "idle", CancellationToken.None);
        var row = await sessions.GetAsync("acme", "sess-1", CancellationToken.None);

        Assert.That((opened.Outcome, duplicate.Outcome, ended, endedAgain), Is.EqualTo((StoreOutcome.Ok, StoreOutcome.Conflict, true, false)));
        Assert.That(openBefore, Does.Contain("sess-1"));
        Assert.That(await sessions.ListOpenAsync("acme", CancellationToken.None), Has.None.Matches<SessionRow>(s => s.Id == "sess-1"));
        Assert.That((row!.EndReason, row.EndedAt is not null), Is.EqualTo(("deleted", true)));
    }

    [Test]
    public async Task Ending_all_open_sessions_leaves_ended_ones_as_they_were()
    {
        var sessions = new SessionStore(_pg.Db);
        await sessions.OpenAsync("acme", "sess-a", "notes", "key:ci", null, CancellationToken.None);
        await sessions.OpenAsync("acme", "sess-b", "notes", "key:ci", null, CancellationToken.None);
        await sessions.EndAsync("acme", "sess-b", "deleted", CancellationToken.None);

        var ended = await sessions.EndAllOpenAsync("acme", "restart", CancellationToken.None);

        Assert.That(ended, Is.GreaterThanOrEqualTo(1));
        Assert.That((await sessions.GetAsync("acme", "sess-a", CancellationToken.None))!.EndReason, Is.EqualTo("restart"));
        Assert.That((await sessions.GetAsync("acme", "sess-b", CancellationToken.None))!.EndReason, Is.EqualTo("deleted"));
        Assert.That(await sessions.ListOpenAsync("acme", CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Secrets_keep_ciphertext_by_server_and_name()
    {
        var secrets = new SecretStore(_pg.Db);
        await secrets.SetAsync("acme", "notes", "TOKEN", [1, 2, 3], CancellationToken.None);
        await secrets.SetAsync("acme", "notes", "TOKEN", [4, 5], CancellationToken.None);
        await secrets.SetAsync("acme", "notes", "API", [6], CancellationToken.None);
        await secrets.DeleteAsync("acme", "notes", "API", CancellationToken.None);

        Assert.That(await secrets.GetAsync("acme", "notes", "TOKEN", CancellationToken.None), Is.EqualTo(new byte[] { 4, 5 }));
        Assert.That(await secrets.ListNamesAsync("acme", "notes", CancellationToken.None), Is.EqualTo(new[] { "TOKEN" }));
        Assert.That(await secrets.GetAsync("globex", "notes", "TOKEN", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task The_first_wrapped_data_key_stays()
    {
        var keys = new DataKeyStore(_pg.Db);
        var first = await keys.GetOrInsertAsync("globex", [1, 1], CancellationToken.None);
        var second = await keys.GetOrInsertAsync("globex", [2, 2], CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((new byte[] { 1, 1 }, new byte[] { 1, 1 })));
    }

    [Test]
    public async Task Sync_upserts_the_files_tenants_and_marks_the_others_removed()
    {
        await using var pg = await PostgresFixture.CreateAsync("tenant_sync");
        var tenants = new TenantStore(pg.Db);
        await tenants.SyncAsync([new TenantEntry { Id = "a", Name = "A" }, new TenantEntry { Id = "b", Name = "B" }], CancellationToken.None);

        var result = await tenants.SyncAsync([new TenantEntry { Id = "a", Name = "A2", Status = TenantStatuses.Suspended }], CancellationToken.None);

        var a = await tenants.GetAsync("a", CancellationToken.None);
        var b = await tenants.GetAsync("b", CancellationToken.None);
        Assert.That(result, Is.EqualTo(new TenantSyncResult(1, 1)));
        Assert.That((a!.Name, a.Status, b!.Status), Is.EqualTo(("A2", TenantStatuses.Suspended, TenantStatuses.Removed)));
    }
}
