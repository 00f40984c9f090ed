using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Replicas;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Replicas;
using IMcpSessionControl = Smcp.Proxy.Sessions.IMcpSessionControl;

namespace Smcp.Orchestrator.Tests.Replicas;

/// <summary>
/// The state replicas share, against real Postgres, each "replica" with a data source of its own as a second process has:
/// maxSessions and the per-minute budgets hold over all of them together, even when they all ask at once.
/// </summary>
public sealed class SharedLimitsTests
{
    private PostgresFixture _pg = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("shared_limits");
        await _pg.AddTenantsAsync("claims", "release", "lease", "budget", "sweep", "globex");
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task Claims_from_three_replicas_at_once_never_pass_maxSessions_and_other_tenants_are_not_counted()
    {
        var directories = await ReplicasAsync("claim", 3);
        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            directories[i % 3].ClaimAsync("claims", $"s{i}", 4, CancellationToken.None)));
        var globex = await directories[0].ClaimAsync("globex", "g0", 1, CancellationToken.None);

        Assert.That((claims.Count(c => c == DirectoryClaim.Claimed), claims.Count(c => c == DirectoryClaim.TenantFull), globex),
            Is.EqualTo((4, 8, DirectoryClaim.Claimed)));
    }

    [Test]
    public async Task A_released_or_forgotten_session_frees_its_slot_and_only_live_owners_are_found()
    {
        var directories = await ReplicasAsync("release", 2);
        Assert.That(await directories[0].ClaimAsync("release", "mine", 2, CancellationToken.None), Is.EqualTo(DirectoryClaim.Claimed));
        Assert.That(await directories[1].ClaimAsync("release", "theirs", 2, CancellationToken.None), Is.EqualTo(DirectoryClaim.Claimed));
        var full = await directories[1].ClaimAsync("release", "third", 2, CancellationToken.None);

        var ownerSeenByOther = await directories[1].FindOwnerAsync("release", "mine", CancellationToken.None);
        var ownSeenBySelf = await directories[0].FindOwnerAsync("release", "mine", CancellationToken.None);
        var otherTenant = await directories[1].FindOwnerAsync("globex", "mine", CancellationToken.None);
        await directories[0].ReleaseAsync("release", "mine", CancellationToken.None);
        await directories[0].ForgetAsync("release", "theirs", CancellationToken.None);
        var afterRelease = await directories[1].FindOwnerAsync("release", "mine", CancellationToken.None);
        var room = await directories[1].ClaimAsync("release", "third", 2, CancellationToken.None);

        Assert.That((full, ownerSeenByOther?.Port, ownSeenBySelf, otherTenant, afterRelease, room),
            Is.EqualTo((DirectoryClaim.TenantFull, (int?)7000, (Uri?)null, (Uri?)null, (Uri?)null, DirectoryClaim.Claimed)));
    }

    [Test]
    public async Task A_replica_past_its_lease_owns_nothing_and_counts_for_nothing()
    {
        var directories = await ReplicasAsync("lease", 2);
        await directories[0].ClaimAsync("lease", "lost", 1, CancellationToken.None);
        await _pg.SuperuserExecuteAsync("UPDATE replicas SET heartbeat_at = now() - interval '1 hour' WHERE replica_id = 'lease-0'");

        var owner = await directories[1].FindOwnerAsync("lease", "lost", CancellationToken.None);
        var claim = await directories[1].ClaimAsync("lease", "new", 1, CancellationToken.None);
        Assert.That((owner, claim), Is.EqualTo(((Uri?)null, DirectoryClaim.Claimed)));
    }

    [Test]
    public async Task Three_replicas_asking_at_once_grant_one_minute_budget_not_three()
    {
        var budgets = Enumerable.Range(0, 3).Select(_ => new TenantBudgets(new TenantRateLimiter(), new SessionStartLimiter(),
            [new PostgresRateWindows(new TenantDb(_pg.NewAppDataSource()))])).ToList();

        var requests = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => budgets[i % 3].TryRequestsAsync("globex", 10, 1, CancellationToken.None).AsTask()));
        var starts = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => budgets[i % 3].TryStartAsync("globex", 4, CancellationToken.None).AsTask()));
        var batch = await budgets[0].TryRequestsAsync("budget", 5, 50, CancellationToken.None);
        var afterBatch = await budgets[1].TryRequestsAsync("budget", 5, 1, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(requests.Count(r => r is null), Is.EqualTo(10), "requests admitted over all three");
            Assert.That(requests.Where(r => r is not null).Select(r => r!.Value), Is.All.InRange(TimeSpan.Zero, TimeSpan.FromMinutes(1)), "Retry-After within the minute");
            Assert.That(starts.Count(r => r is null), Is.EqualTo(4), "session starts admitted over all three");
            Assert.That((batch, afterBatch is null), Is.EqualTo(((TimeSpan?)null, false)), "a batch larger than the budget takes all of it");
        });
    }

    [Test]
    public async Task A_replica_id_held_by_a_live_replica_elsewhere_is_refused_and_its_own_restart_takes_it_over()
    {
        var first = new ReplicaOptions { Id = "twin", InternalListen = "http://127.0.0.1:7101" };
        await ReplicaLease.RegisterAsync(_pg.AppConnectionString, first, [], CancellationToken.None);

        Assert.That(async () => await ReplicaLease.RegisterAsync(_pg.AppConnectionString, first, [], CancellationToken.None), Throws.Nothing,
            "the same address again: this replica restarted");
        var elsewhere = new ReplicaOptions { Id = "twin", InternalListen = "http://127.0.0.1:7102" };
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => ReplicaLease.RegisterAsync(_pg.AppConnectionString, elsewhere, [], CancellationToken.None));
        await _pg.SuperuserExecuteAsync("UPDATE replicas SET heartbeat_at = now() - interval '1 hour' WHERE replica_id = 'twin'");
        Assert.That(async () => await ReplicaLease.RegisterAsync(_pg.AppConnectionString, elsewhere, [], CancellationToken.None), Throws.Nothing,
            "a lapsed lease is free to take");
        Assert.That(error!.Message, Does.Contain("held by another live replica"));
    }

    [Test]
    public async Task A_heartbeat_past_its_lease_ends_the_replicas_sessions_and_sweeps_gone_replicas_rows()
    {
        var directories = await ReplicasAsync("beat", 2);
        var sessions = new SessionStore(_pg.Db);
        foreach (var (directory, id) in new[] { (directories[0], "kept"), (directories[1], "dropped") })
        {
            await directory.ClaimAsync("sweep", id, 0, CancellationToken.None);
            await sessions.OpenAsync("sweep", id, "notes", "key", null, CancellationToken.None);
        }

        await _pg.SuperuserExecuteAsync("UPDATE replicas SET heartbeat_at = now() - interval '1 hour' WHERE replica_id IN ('beat-0', 'beat-1')");
        var config = new SmcpConfig { Tenants = [new TenantConfig { Id = "sweep", Name = "sweep" }] };
        var monitor = new ConfigMonitor(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smcp-lease-unused.yaml"), ConfigResult.Valid(config, ""),
            TimeProvider.System, NullLogger<ConfigMonitor>.Instance);
        var live = new EndingSessions();
        var lease = new ReplicaLease(_pg.Db, new ReplicaOptions { Id = "beat-0", InternalListen = "http://127.0.0.1:7000" }, monitor, live, TimeProvider.System,
            NullLogger<ReplicaLease>.Instance);

        await lease.BeatAsync(CancellationToken.None);
        var heartbeat = await _pg.SuperuserScalarAsync<bool>("SELECT heartbeat_at > now() - interval '1 minute' FROM replicas WHERE replica_id = 'beat-0'");
        var rows = await _pg.SuperuserScalarAsync<long>("SELECT count(*) FROM session_directory WHERE tenant_id = 'sweep'");
        var open = (await sessions.ListOpenAsync("sweep", CancellationToken.None)).Select(r => r.Id).ToList();

        Assert.That((live.Reasons.Single(), heartbeat, rows, open.Count), Is.EqualTo(("replica lease lost", true, 0L, 0)),
            "this replica's own sessions ended, its lease taken again, every row of a lapsed lease swept, their session rows ended");
    }

    private sealed class EndingSessions : IMcpSessionControl
    {
        public List<string> Reasons { get; } = [];

        public Task<bool> EndAsync(string tenant, string sessionId, string reason) => Task.FromResult(false);

        public Task<int> EndTenantAsync(string tenant, string reason) => Task.FromResult(0);

        public Task<int> EndAllAsync(string reason)
        {
            Reasons.Add(reason);
            return Task.FromResult(1);
        }
    }

    private async Task<List<ReplicaDirectory>> ReplicasAsync(string name, int count)
    {
        var directories = new List<ReplicaDirectory>();
        for (var i = 0; i < count; i++)
        {
            var options = new ReplicaOptions { Id = $"{name}-{i}", InternalListen = $"http://127.0.0.{i + 1}:7000" };
            await ReplicaLease.RegisterAsync(_pg.AppConnectionString, options, [], CancellationToken.None);
            directories.Add(new ReplicaDirectory(new TenantDb(_pg.NewAppDataSource()), options));
        }

        return directories;
    }
}
