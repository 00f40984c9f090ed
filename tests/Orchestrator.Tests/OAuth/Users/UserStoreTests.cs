using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Users;

/// <summary>The user store on its own database, with a clock the test moves: lockout and its end, and tenant isolation.</summary>
public sealed class UserStoreTests
{
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private PostgresFixture _database = null!;
    private MovableClock _clock = null!;
    private UserStore _store = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _database = await PostgresFixture.CreateAsync("oauthusers");
        await _database.AddTenantsAsync("acme", "beta");
        _clock = new MovableClock();
        _store = new UserStore(_database.Db, new UserPasswords(), _clock);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _database.DisposeAsync();

    private async Task<OAuthUser> AddAsync(string email)
    {
        var created = await _store.CreateAsync("acme", email, "a password long enough", CancellationToken.None);
        return created.Value!;
    }

    private Task<OAuthUser?> FindAsync(string email) => _store.FindByEmailAsync("acme", email, CancellationToken.None);

    [Test]
    public async Task The_failure_that_reaches_the_threshold_locks_and_a_failure_while_locked_does_not_extend_it()
    {
        var user = await AddAsync("lock-me@example.com");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await _store.RecordFailureAsync("acme", user.Id, 3, Lockout, CancellationToken.None);
        }

        var locked = (await FindAsync("lock-me@example.com"))!;
        Assert.That(locked.LockedUntil, Is.EqualTo(_clock.GetUtcNow() + Lockout).Within(TimeSpan.FromMilliseconds(1)));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _store.RecordFailureAsync("acme", user.Id, 3, Lockout, CancellationToken.None);
        Assert.That((await FindAsync("lock-me@example.com"))!.LockedUntil, Is.EqualTo(locked.LockedUntil));
    }

    [Test]
    public async Task After_the_lock_runs_out_the_count_starts_again()
    {
        var user = await AddAsync("comes-back@example.com");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await _store.RecordFailureAsync("acme", user.Id, 3, Lockout, CancellationToken.None);
        }

        _clock.Advance(Lockout + TimeSpan.FromSeconds(1));
        await _store.RecordFailureAsync("acme", user.Id, 3, Lockout, CancellationToken.None);
        var after = (await FindAsync("comes-back@example.com"))!;
        Assert.That(after.FailedAttempts, Is.EqualTo(1));
        Assert.That(after.LockedUntil, Is.Null);
    }

    [Test]
    public async Task A_success_clears_the_count_and_stores_a_rehash()
    {
        var user = await AddAsync("succeeds@example.com");
        await _store.RecordFailureAsync("acme", user.Id, 3, Lockout, CancellationToken.None);
        await _store.RecordSuccessAsync("acme", user.Id, "new-hash", CancellationToken.None);
        var after = (await FindAsync("succeeds@example.com"))!;
        Assert.That((after.FailedAttempts, after.PasswordHash), Is.EqualTo((0, "new-hash")));
    }

    [Test]
    public async Task Emails_are_stored_trimmed_and_lower_cased_and_are_unique_per_tenant_only()
    {
        var created = await _store.CreateAsync("acme", "  Mixed.Case@Example.COM ", "a password long enough", CancellationToken.None);
        Assert.That(created.Value!.Email, Is.EqualTo("mixed.case@example.com"));
        Assert.That((await _store.CreateAsync("acme", "mixed.case@example.com", "a password long enough", CancellationToken.None)).Outcome, Is.EqualTo(StoreOutcome.Conflict));
        Assert.That((await _store.CreateAsync("beta", "mixed.case@example.com", "a password long enough", CancellationToken.None)).Outcome, Is.EqualTo(StoreOutcome.Ok));
    }

    [Test]
    public async Task A_tenant_does_not_see_another_tenants_users()
    {
        await AddAsync("acme-only@example.com");
        Assert.That(await _store.FindByEmailAsync("beta", "acme-only@example.com", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_tenant_without_a_row_is_a_missing_reference()
    {
        Assert.That((await _store.CreateAsync("ghost", "who@example.com", "a password long enough", CancellationToken.None)).Outcome, Is.EqualTo(StoreOutcome.MissingReference));
    }

    [TestCase("a@b", ExpectedResult = "a@b")]
    [TestCase(" A@B.C ", ExpectedResult = "a@b.c")]
    [TestCase("no-at-sign", ExpectedResult = null)]
    [TestCase("a@b@c", ExpectedResult = null)]
    [TestCase("a b@c", ExpectedResult = null)]
    [TestCase("a\u0000@b", ExpectedResult = null)]
    [TestCase("\"quoted\"@b", ExpectedResult = null)]
    public string? Email_normalization(string email) => UserEmail.Normalize(email);

    private sealed class MovableClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
